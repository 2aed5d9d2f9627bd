"""Undo a reset: what it removed or overwrote, put back per user and per action."""

from __future__ import annotations

from typing import Annotated, Self

import strawberry

from domain.services.reset import UserResetOutcome, UserResetStatus
from gql.context import Info
from gql.errors import UserError
from gql.ids import to_global_id
from gql.payloads import Payload, payload_mutation
from gql.reset.operations import _user_pk
from gql.reset.types import UserResetResult


@strawberry.type(
    description=(
        "What undoReset put back (with dryRun: would put back): a result per user in "
        "the shape of resetUsers's, where changes counts the items restored, and a "
        "warning UNDO_CONFLICT names each item the user changed after the reset, which "
        "keeps its newer value."
    )
)
class UndoResetPayload(Payload):
    results: list[UserResetResult] = strawberry.field(
        description="One per user: the requested ones in request order, else every user "
        "of the reset the caller may see."
    )
    succeeded: int = strawberry.field(description="Users whose undo succeeded.")
    failed: int = strawberry.field(
        description=(
            "Users whose undo failed: USER_NOT_FOUND, ALREADY_UNDONE, UNDO_EXPIRED, NOT_STORED."
        )
    )
    errors: list[UserError] = strawberry.field(
        description="Why nothing was undone: RESET_NOT_FOUND, UNDO_EXPIRED, TOO_MANY_USERS."
    )

    @classmethod
    def failure(cls, errors: list[UserError]) -> Self:
        return cls(results=[], succeeded=0, failed=0, errors=errors)


def _result(outcome: UserResetOutcome, implicit: bool) -> UserResetResult:
    result = UserResetResult.from_domain(outcome)
    if implicit and outcome.user is not None:
        # The users were not named by the caller: each result names its user's ID.
        result.user_id = strawberry.ID(to_global_id("User", outcome.user.id))
    return result


@strawberry.type
class UndoResetMutation:
    @payload_mutation(
        description=(
            "Undo a reset (resetUsers's resetId): put back the own relationships, Connect "
            "Client and presence settings and repaired contacts it removed, per user and "
            "per action. An item the user changed after the reset keeps its newer value "
            "(warning UNDO_CONFLICT). Passwords and voicemail PINs are never kept, so never "
            "undone. Possible until the results' undoAvailableUntil (then UNDO_EXPIRED); a "
            "second undo changes nothing (ALREADY_UNDONE)."
        )
    )
    async def undo_reset(
        self,
        info: Info,
        reset_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The resetId that resetUsers answered."),
        ],
        user_ids: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(
                description=(
                    "Only these users of the reset; null: every user of it the caller may see."
                )
            ),
        ] = None,
        dry_run: Annotated[
            bool,
            strawberry.argument(
                description="Store nothing: say what would be put back, and every conflict."
            ),
        ] = False,
    ) -> UndoResetPayload:
        ctx = info.context
        requested = None if user_ids is None else [(str(i), _user_pk(i)) for i in user_ids]
        outcomes = await ctx.services().reset_undo.undo_reset(
            ctx.principal, str(reset_id), requested, dry_run=dry_run
        )
        results = [_result(o, implicit=user_ids is None) for o in outcomes]
        return UndoResetPayload(
            results=results,
            succeeded=sum(r.status is UserResetStatus.SUCCEEDED for r in results),
            failed=sum(r.status is UserResetStatus.FAILED for r in results),
            errors=[],
        )

"""Reset users, and User details > Password."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.services.reset import UserResetStatus
from gql.context import Info
from gql.ids import parse_global_id, pk_of
from gql.payloads import MutationResult, payload_mutation
from gql.reset.types import ResetUsersOptions, ResetUsersPayload, UserResetResult


def _user_pk(global_id: str) -> int | None:
    parsed = parse_global_id(global_id)
    return parsed[1] if parsed and parsed[0] == "User" else None


@strawberry.type
class ResetMutation:
    @payload_mutation(
        description=(
            "Reset the selected users. Each user is handled on its own: one user's failure "
            "never changes another's outcome, and an action that fails for a user changes "
            "nothing of that action. With dryRun, nothing is stored or sent, and the results "
            "say what would happen."
        )
    )
    async def reset_users(
        self,
        info: Info,
        ids: list[strawberry.ID],
        options: ResetUsersOptions,
        dry_run: bool = False,
        operation_id: Annotated[
            str | None,
            strawberry.argument(
                description=(
                    "Your name for this run (e.g. a UUID, at most 128 characters): "
                    "subscribe to resetProgress(operationId) to follow it. Unique among "
                    "your unfinished runs (OPERATION_ID_IN_USE)."
                )
            ),
        ] = None,
    ) -> ResetUsersPayload:
        ctx = info.context
        requested = [(str(i), _user_pk(i)) for i in ids]
        run = await ctx.progress.start_operation(ctx.principal, operation_id)
        try:
            outcomes = await ctx.services().reset.reset_users(
                ctx.principal, requested, options.selected(), dry_run=dry_run,
                on_progress=None if run is None else run.report,
            )  # fmt: skip
        finally:
            if run is not None:
                await run.finish()
        if not dry_run:
            ctx.record.reset_actions.extend(
                (action.option.value, action.done) for o in outcomes for action in o.actions
            )
        results = [UserResetResult.from_domain(o) for o in outcomes]
        return ResetUsersPayload(
            results=results,
            succeeded=sum(r.status is UserResetStatus.SUCCEEDED for r in results),
            failed=sum(r.status is UserResetStatus.FAILED for r in results),
            errors=[],
            reset_id=next((strawberry.ID(o.undo.reset_id) for o in outcomes if o.undo), None),
        )

    @payload_mutation(
        description="User details > Password: checked against the location's password policy."
    )
    async def set_user_password(
        self, info: Info, user_id: strawberry.ID, password: str
    ) -> MutationResult:
        ctx = info.context
        await ctx.services().credentials.set_user_password(
            ctx.principal, pk_of(user_id, "User", "userId"), password
        )
        return MutationResult.done()

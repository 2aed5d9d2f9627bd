"""Reset users, and User details > Password."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.errors import DomainError
from domain.principals import AdminPrincipal
from domain.services import credentials, reset
from domain.services.reset import UserResetStatus
from domain.services.validation import NUL_REFUSED
from gql.context import Context, Info
from gql.ids import parse_global_id, pk_of
from gql.payloads import MutationResult, payload_mutation
from gql.progress_broker import (
    OperationInUse,
    OperationLimitReached,
    ProgressRun,
)
from gql.reset.progress import MAX_OPERATION_ID_LENGTH
from gql.reset.types import ResetUsersOptions, ResetUsersPayload, UserResetResult


def _user_pk(global_id: str) -> int | None:
    parsed = parse_global_id(global_id)
    return parsed[1] if parsed and parsed[0] == "User" else None


async def _start_progress(ctx: Context, operation_id: str | None) -> ProgressRun | None:
    """The progress of the caller's run, for its resetProgress subscribers.

    None without an operation id, and for a caller that is no administrator
    (the service refuses it).
    """
    if operation_id is None or not isinstance(ctx.principal, AdminPrincipal):
        return None
    if not 0 < len(operation_id) <= MAX_OPERATION_ID_LENGTH:
        raise DomainError.of(
            "INVALID_OPERATION_ID",
            f"The operation id must have 1 to {MAX_OPERATION_ID_LENGTH} characters.",
            "operationId",
        )
    if "\x00" in operation_id:
        raise DomainError.of(*NUL_REFUSED, "operationId")
    try:
        return await ctx.progress.start(ctx.principal.admin_id, operation_id)
    except OperationInUse:
        raise DomainError.of(
            "OPERATION_ID_IN_USE",
            "A run of yours with this operation id has not finished yet.",
            "operationId",
        ) from None
    except OperationLimitReached:
        raise DomainError.of(
            "OPERATION_LIMIT_REACHED",
            "Too many of your operations are running; try again later.",
            "operationId",
        ) from None


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
        run = await _start_progress(ctx, operation_id)
        try:
            outcomes = await reset.reset_users(
                ctx.deps(), ctx.principal, requested, options.selected(), dry_run=dry_run,
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
        )

    @payload_mutation(
        description="User details > Password: checked against the location's password policy."
    )
    async def set_user_password(
        self, info: Info, user_id: strawberry.ID, password: str
    ) -> MutationResult:
        ctx = info.context
        await credentials.set_user_password(
            ctx.deps(), ctx.principal, pk_of(user_id, "User", "userId"), password
        )
        return MutationResult.done()

"""Reset users, and User details > Password."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from domain.error_codes import ErrorCode
from domain.errors import DomainError
from domain.services.reset_jobs import NewResetJob
from domain.services.reset_selection import SAMPLE_SIZE, summarize
from gql.context import Info
from gql.ids import parse_global_id, pk_of
from gql.payloads import MutationResult, payload_mutation
from gql.reset import descriptions
from gql.reset.jobs import RUN_AT, ResetJob
from gql.reset.selection import SELECTION, ResetSummary, UserSelectionInput
from gql.reset.types import ResetUsersOptions, ResetUsersPayload, UserResetResult


def _user_pk(global_id: str) -> int | None:
    parsed = parse_global_id(global_id)
    return parsed[1] if parsed and parsed[0] == "User" else None


PasswordUserId = Annotated[strawberry.ID, strawberry.argument(description="The user.")]
NewUserPassword = Annotated[
    str,
    strawberry.argument(
        description="The new password; it must meet the user's location's password "
        "policy (PASSWORD_POLICY)."
    ),
]


def _given(
    ids: list[strawberry.ID], selection: UserSelectionInput | None
) -> list[tuple[str, int | None]] | None:
    """The ids as given with the user each names, or None with a selection (and no ids:
    both at once are IDS_AND_SELECTION)."""
    if selection is None:
        return [(str(i), _user_pk(i)) for i in ids]
    if ids:
        raise DomainError.of(
            ErrorCode.IDS_AND_SELECTION, "Give either ids or a selection, not both.", "ids"
        )
    return None


async def _requested(
    info: Info, ids: list[strawberry.ID], selection: UserSelectionInput | None
) -> list[tuple[str, int | None]]:
    """The reset's users: the ids as given, or the selection's, resolved now."""
    given = _given(ids, selection)
    if given is not None or selection is None:
        return given or []
    ctx = info.context
    return await ctx.services().reset.selected(ctx.principal, selection.to_domain())


async def _schedule(
    info: Info,
    ids: list[strawberry.ID],
    selection: UserSelectionInput | None,
    options: ResetUsersOptions,
    run_at: datetime,
) -> ResetUsersPayload:
    """The reset as a job to run at ``run_at`` (domain/services/reset_jobs.py)."""
    ctx = info.context
    new = NewResetJob(
        options=options.selected(),
        run_at=run_at,
        requested=_given(ids, selection),
        selection=None if selection is None else selection.to_domain(),
        password_link=options.send_password_link,
    )
    job = await ctx.services().reset_jobs.schedule(ctx.principal, new)
    return ResetUsersPayload(
        results=[], succeeded=0, failed=0, errors=[], reset_id=None,
        job=ResetJob.from_domain(job),
    )  # fmt: skip


@strawberry.type
class ResetMutation:
    @payload_mutation(description=descriptions.RESET_USERS)
    async def reset_users(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description=descriptions.IDS)],
        options: Annotated[
            ResetUsersOptions, strawberry.argument(description=descriptions.OPTIONS)
        ],
        dry_run: Annotated[bool, strawberry.argument(description=descriptions.DRY_RUN)] = False,
        operation_id: Annotated[
            str | None, strawberry.argument(description=descriptions.OPERATION_ID)
        ] = None,
        selection: Annotated[
            UserSelectionInput | None, strawberry.argument(description=SELECTION)
        ] = None,
        run_at: Annotated[datetime | None, strawberry.argument(description=RUN_AT)] = None,
    ) -> ResetUsersPayload:
        ctx = info.context
        if run_at is not None and not dry_run:
            return await _schedule(info, ids, selection, options, run_at)
        requested = await _requested(info, ids, selection)
        run = await ctx.progress.start_operation(ctx.principal, operation_id)
        try:
            outcomes = await ctx.services().reset.reset_users(
                ctx.principal, requested, options.selected(), dry_run=dry_run,
                on_progress=None if run is None else run.report,
                password_link=options.send_password_link,
            )  # fmt: skip
        finally:
            if run is not None:
                await run.finish()
        if not dry_run:
            ctx.record.reset_actions.extend(
                (action.option.value, action.done) for o in outcomes for action in o.actions
            )
        summary = summarize(outcomes)
        shown = outcomes if selection is None else outcomes[:SAMPLE_SIZE]
        return ResetUsersPayload(
            results=[UserResetResult.from_domain(o) for o in shown],
            succeeded=summary.succeeded,
            failed=summary.failed,
            errors=[],
            reset_id=next((strawberry.ID(o.undo.reset_id) for o in outcomes if o.undo), None),
            summary=ResetSummary.from_domain(summary),
        )

    @payload_mutation(description=descriptions.SET_USER_PASSWORD)
    async def set_user_password(
        self, info: Info, user_id: PasswordUserId, password: NewUserPassword
    ) -> MutationResult:
        ctx = info.context
        await ctx.services().credentials.set_user_password(
            ctx.principal, pk_of(user_id, "User", "userId"), password
        )
        return MutationResult.done()

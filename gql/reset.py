"""Reset users, passwords, the E-Mail Gateway and voicemail.

Reset users, and User details > Password.
"""

from __future__ import annotations

import enum
from typing import Annotated

import strawberry

from domain.errors import DomainError
from domain.services import reset
from domain.services.reset import (
    ActionOutcome,
    ResetOption,
    UserResetOutcome,
    UserResetStatus,
)
from gql.context import Info
from gql.errors import UserError, problem_errors, user_errors
from gql.ids import parse_global_id, pk_of
from gql.payloads import MutationResult
from gql.types import User


@strawberry.input(
    description=(
        "What to reset. Each option is one of the areas of the Reset user dialog: Security "
        "(password, voicemail PIN, relationships), Settings (Connect Client, Presence "
        "Management) and Contact list."
    )
)
class ResetUsersOptions:
    set_random_password: bool = False
    set_random_voicemail_pin: bool = False
    reset_relationships: bool = False
    reset_client_settings: bool = False
    reset_presence_settings: bool = False
    repair_contact_list: bool = False

    def selected(self) -> list[ResetOption]:
        return reset.selected_options(
            password=self.set_random_password,
            voicemail_pin=self.set_random_voicemail_pin,
            relationships=self.reset_relationships,
            client_settings=self.reset_client_settings,
            presence_settings=self.reset_presence_settings,
            contact_list=self.repair_contact_list,
        )


strawberry.enum(ResetOption, name="ResetAction")
strawberry.enum(UserResetStatus)


@strawberry.enum
class ResetActionStatus(enum.Enum):
    DONE = "DONE"
    FAILED = "FAILED"


@strawberry.type
class ResetActionResult:
    action: ResetOption
    status: ResetActionStatus
    changes: int
    errors: list[UserError]

    @classmethod
    def from_domain(cls, outcome: ActionOutcome) -> ResetActionResult:
        return cls(
            action=outcome.option,
            status=ResetActionStatus.DONE if outcome.done else ResetActionStatus.FAILED,
            changes=outcome.changes,
            errors=problem_errors(outcome.problems),
        )


@strawberry.type
class UserResetResult:
    user_id: strawberry.ID
    user: User | None
    status: UserResetStatus
    actions: list[ResetActionResult]
    warnings: list[UserError]
    errors: list[UserError]

    @classmethod
    def from_domain(cls, outcome: UserResetOutcome) -> UserResetResult:
        return cls(
            user_id=strawberry.ID(outcome.key),
            user=None if outcome.user is None else User.from_domain(outcome.user),
            status=outcome.status,
            actions=[ResetActionResult.from_domain(a) for a in outcome.actions],
            warnings=problem_errors(outcome.warnings),
            errors=problem_errors(outcome.problems),
        )


@strawberry.type
class ResetUsersPayload:
    results: list[UserResetResult]
    succeeded: int
    failed: int
    errors: list[UserError]


def _user_pk(global_id: str) -> int | None:
    parsed = parse_global_id(global_id)
    return parsed[1] if parsed and parsed[0] == "User" else None


@strawberry.type
class ResetMutation:
    @strawberry.mutation(
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
        try:
            run = await ctx.progress.start_operation(ctx.principal, operation_id)
        except DomainError as error:
            return ResetUsersPayload(results=[], succeeded=0, failed=0, errors=user_errors(error))
        try:
            outcomes = await ctx.services().reset.reset_users(
                ctx.principal, requested, options.selected(), dry_run=dry_run,
                on_progress=None if run is None else run.report,
            )  # fmt: skip
        except DomainError as error:
            return ResetUsersPayload(results=[], succeeded=0, failed=0, errors=user_errors(error))
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

    @strawberry.mutation(
        description="User details > Password: checked against the location's password policy."
    )
    async def set_user_password(
        self, info: Info, user_id: strawberry.ID, password: str
    ) -> MutationResult:
        ctx = info.context
        try:
            await ctx.services().credentials.set_user_password(
                ctx.principal, pk_of(user_id, "User", "userId"), password
            )
        except DomainError as error:
            return MutationResult.failed(user_errors(error))
        return MutationResult.done()

"""Reset users: what to reset, and what each user's reset did."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Self

import strawberry

from domain.services import reset
from domain.services.reset import (
    ActionOutcome,
    ResetOption,
    UserResetOutcome,
    UserResetStatus,
)
from domain.services.reset_outcomes import UNDOABLE
from gql.errors import UserError, problem_errors
from gql.graph import User
from gql.payloads import Payload


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
    undoable: bool = strawberry.field(
        description=(
            "Whether undoReset can put back what this action changes: false for the "
            "password and the voicemail PIN, which are never kept."
        )
    )

    @classmethod
    def from_domain(cls, outcome: ActionOutcome) -> ResetActionResult:
        return cls(
            action=outcome.option,
            status=ResetActionStatus.DONE if outcome.done else ResetActionStatus.FAILED,
            changes=outcome.changes,
            errors=problem_errors(outcome.problems),
            undoable=outcome.option in UNDOABLE,
        )


@strawberry.type
class UserResetResult:
    user_id: strawberry.ID
    user: User | None
    status: UserResetStatus
    actions: list[ResetActionResult]
    warnings: list[UserError]
    errors: list[UserError]
    undo_available_until: datetime | None = strawberry.field(
        description=(
            "Until when undoReset can put back what this reset removed or overwrote of "
            "the user; null when nothing was kept (a dry run, nothing removed, only the "
            "password or PIN changed) and in the results of undoReset."
        )
    )

    @classmethod
    def from_domain(cls, outcome: UserResetOutcome) -> UserResetResult:
        return cls(
            undo_available_until=None if outcome.undo is None else outcome.undo.until,
            user_id=strawberry.ID(outcome.key),
            user=None if outcome.user is None else User.from_domain(outcome.user),
            status=outcome.status,
            actions=[ResetActionResult.from_domain(a) for a in outcome.actions],
            warnings=problem_errors(outcome.warnings),
            errors=problem_errors(outcome.problems),
        )


@strawberry.type
class ResetUsersPayload(Payload):
    results: list[UserResetResult]
    succeeded: int
    failed: int
    errors: list[UserError]
    reset_id: strawberry.ID | None = strawberry.field(
        description=(
            "This run's id for undoReset; null for a dry run and when the reset kept "
            "nothing to put back."
        )
    )

    @classmethod
    def failure(cls, errors: list[UserError]) -> Self:
        return cls(results=[], succeeded=0, failed=0, errors=errors, reset_id=None)

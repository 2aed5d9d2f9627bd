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
from gql.enums import graphql_enum
from gql.errors import UserError, problem_errors
from gql.payloads import Payload
from gql.reset import access_descriptions, descriptions
from gql.reset.jobs import ResetJob
from gql.reset.selection import ResetSummary
from gql.users.types import User


@strawberry.input(
    description=(
        "What to reset. Each option is one of the areas of the Reset user dialog: Security "
        "(password, voicemail PIN, relationships), Settings (Connect Client, Presence "
        "Management) and Contact list."
    )
)
class ResetUsersOptions:
    set_random_password: bool = strawberry.field(
        default=False, description=descriptions.SET_RANDOM_PASSWORD
    )
    set_random_voicemail_pin: bool = strawberry.field(
        default=False, description=descriptions.SET_RANDOM_VOICEMAIL_PIN
    )
    reset_relationships: bool = strawberry.field(
        default=False, description=descriptions.RESET_RELATIONSHIPS
    )
    reset_client_settings: bool = strawberry.field(
        default=False, description=descriptions.RESET_CLIENT_SETTINGS
    )
    reset_presence_settings: bool = strawberry.field(
        default=False, description=descriptions.RESET_PRESENCE_SETTINGS
    )
    repair_contact_list: bool = strawberry.field(
        default=False, description=descriptions.REPAIR_CONTACT_LIST
    )
    unlock: bool = strawberry.field(default=False, description=access_descriptions.UNLOCK)
    expire_password: bool = strawberry.field(
        default=False, description=access_descriptions.EXPIRE_PASSWORD
    )
    send_password_link: bool | None = strawberry.field(
        default=None,
        description=(
            "With setRandomPassword: true mails a one-time link to a page where the user "
            "chooses the new password, instead of the password (which nobody learns); "
            "false mails the password; null (the default) follows each user's location "
            "(Location.passwordLink)."
        ),
    )

    def selected(self) -> list[ResetOption]:
        return reset.selected_options(
            password=self.set_random_password,
            voicemail_pin=self.set_random_voicemail_pin,
            relationships=self.reset_relationships,
            client_settings=self.reset_client_settings,
            presence_settings=self.reset_presence_settings,
            contact_list=self.repair_contact_list,
            unlock=self.unlock,
            expire_password=self.expire_password,
        )


graphql_enum(
    UserResetStatus,
    description="How one user's reset ended.",
    values={
        UserResetStatus.SUCCEEDED: "Every selected action was done.",
        UserResetStatus.PARTIAL: (
            "Some actions were done, others refused (see each action's errors); counted "
            "neither as succeeded nor as failed."
        ),
        UserResetStatus.FAILED: (
            "Nothing was done: every action was refused, or the user was not found "
            "(USER_NOT_FOUND) or its changes could not be stored (NOT_STORED)."
        ),
    },
)


@strawberry.enum(description="Whether one action of a user's reset was done.")
class ResetActionStatus(enum.Enum):
    DONE = strawberry.enum_value(
        "DONE", description="Done (with dryRun: would be done); changes says how much."
    )
    FAILED = strawberry.enum_value(
        "FAILED",
        description="Refused: nothing of this action changed; errors says why. The user's "
        "other actions still ran.",
    )


@strawberry.type(description="What one action did for one user.")
class ResetActionResult:
    action: ResetOption = strawberry.field(description="The action.")
    status: ResetActionStatus = strawberry.field(description="Done or refused.")
    changes: int = strawberry.field(description=descriptions.CHANGES)
    errors: list[UserError] = strawberry.field(description=descriptions.ACTION_ERRORS)
    undoable: bool = strawberry.field(
        description=(
            "Whether undoReset can put back what this action changes: false for the "
            "password and the voicemail PIN, which are never kept, and for unlock and "
            "expirePassword."
        )
    )
    password_link_sent: bool = strawberry.field(
        default=False,
        description=(
            "For the password: true when a one-time link to set a new password was "
            "queued for the user's mail instead of the password (sendPasswordLink, or "
            "the location's passwordLink default)."
        ),
    )

    @classmethod
    def from_domain(cls, outcome: ActionOutcome) -> ResetActionResult:
        return cls(
            action=outcome.option,
            status=ResetActionStatus.DONE if outcome.done else ResetActionStatus.FAILED,
            changes=outcome.changes,
            errors=problem_errors(outcome.problems),
            undoable=outcome.option in UNDOABLE,
            password_link_sent=outcome.link_sent,
        )


@strawberry.type(description="The outcome for one distinct ID of the request.")
class UserResetResult:
    user_id: strawberry.ID = strawberry.field(description="The ID as the request gave it.")
    user: User | None = strawberry.field(
        description="The user after the reset (with dryRun: as it is); null when not found."
    )
    status: UserResetStatus = strawberry.field(description="How this user's reset ended.")
    actions: list[ResetActionResult] = strawberry.field(
        description="One result per selected option, in the order of ResetAction; empty "
        "when the user was not found."
    )
    warnings: list[UserError] = strawberry.field(description=descriptions.WARNINGS)
    errors: list[UserError] = strawberry.field(description=descriptions.USER_ERRORS)
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


@strawberry.type(description="The answer of resetUsers.")
class ResetUsersPayload(Payload):
    results: list[UserResetResult] = strawberry.field(
        description="One result per distinct ID, in request order (a repeated ID counts once)."
    )
    succeeded: int = strawberry.field(description="Users whose every action was done.")
    failed: int = strawberry.field(
        description="Users of whom nothing was done; PARTIAL users are in neither count."
    )
    errors: list[UserError] = strawberry.field(description=descriptions.REQUEST_ERRORS)
    reset_id: strawberry.ID | None = strawberry.field(
        description=(
            "This run's id for undoReset; null for a dry run and when the reset kept "
            "nothing to put back."
        )
    )
    summary: ResetSummary | None = strawberry.field(
        default=None,
        description=(
            "What the reset did (with dryRun: would do) to all its users, in numbers: by "
            "status, and for each action done and refused, by code. Null on failure."
        ),
    )

    job: ResetJob | None = strawberry.field(
        default=None,
        description="With runAt: the job that will run the reset; null otherwise.",
    )

    @classmethod
    def failure(cls, errors: list[UserError]) -> Self:
        return cls(results=[], succeeded=0, failed=0, errors=errors, reset_id=None)

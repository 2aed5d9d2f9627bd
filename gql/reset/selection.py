"""A reset's selection of users, and the summary of what a reset did or would do."""

from __future__ import annotations

from collections import Counter

import strawberry

from domain.services import reset_selection
from domain.services.reset_selection import ActionSummary, UserSelection
from gql.ids import maybe_pk_of
from gql.reset.actions import ResetOption

SELECTION = (
    "Instead of ids (which must then be []; both at once is IDS_AND_SELECTION): the users "
    "that match every criterion given, resolved on the server when the reset runs, within "
    "the caller's locations, in ID order. At most 10,000 users (TOO_MANY_USERS). With a "
    "selection, results hold a sample of the first users only; summary counts them all."
)


@strawberry.input(
    description="Users by what they are; every criterion given must hold, null ones do not "
    "narrow. An empty selection takes every user the caller sees."
)
class UserSelectionInput:
    location_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only the users of this location."
    )
    configuration_group_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only the users of this configuration group."
    )
    team_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only the members of this team."
    )
    search: str | None = strawberry.field(
        default=None,
        description="Matches login, first, last and display name and e-mail, "
        "case-insensitively (as the users list's search).",
    )
    is_vip: bool | None = strawberry.field(
        default=None, description="Only VIPs (true) or only the others (false)."
    )
    blocked: bool | None = strawberry.field(
        default=None, description="Only blocked users (true) or only the others (false)."
    )
    has_email: bool | None = strawberry.field(
        default=None,
        description="Only users with an e-mail address (true) or only those without (false).",
    )

    def to_domain(self) -> UserSelection:
        field = "selection"
        return UserSelection(
            location_id=maybe_pk_of(self.location_id, "Location", field, "locationId"),
            configuration_group_id=maybe_pk_of(
                self.configuration_group_id, "ConfigurationGroup", field, "configurationGroupId"
            ),
            team_id=maybe_pk_of(self.team_id, "Team", field, "teamId"),
            search=self.search,
            is_vip=self.is_vip,
            blocked=self.blocked,
            has_email=self.has_email,
        )


@strawberry.type(description="How many users an error or warning code came with.")
class ResetCodeCount:
    code: str = strawberry.field(description="The code (docs/errors.md).")
    count: int = strawberry.field(description="How many users it came with.")


def _counts(counter: Counter[str]) -> list[ResetCodeCount]:
    return [ResetCodeCount(code=c, count=n) for c, n in sorted(counter.items())]


@strawberry.type(description="One action over all the users of a reset.")
class ResetActionSummary:
    action: ResetOption = strawberry.field(description="The action.")
    done: int = strawberry.field(description="Users for whom it was (dry: would be) done.")
    failed: int = strawberry.field(description="Users for whom it was refused.")
    changes: int = strawberry.field(description="The sum of its changes over all users.")
    errors: list[ResetCodeCount] = strawberry.field(description="Why it was refused, by code.")

    @classmethod
    def from_domain(cls, summary: ActionSummary) -> ResetActionSummary:
        return cls(
            action=summary.option,
            done=summary.done,
            failed=summary.failed,
            changes=summary.changes,
            errors=_counts(summary.errors),
        )


@strawberry.type(
    description="What a reset did (with dryRun: would do) to all its users, in numbers."
)
class ResetSummary:
    users: int = strawberry.field(description="The distinct users of the reset.")
    succeeded: int = strawberry.field(description="Users whose every action was done.")
    partial: int = strawberry.field(description="Users of whom some actions were done.")
    failed: int = strawberry.field(description="Users of whom nothing was done.")
    actions: list[ResetActionSummary] = strawberry.field(
        description="Each selected action, in the order of ResetAction."
    )
    errors: list[ResetCodeCount] = strawberry.field(
        description="The users' own errors (USER_NOT_FOUND, NOT_STORED), by code."
    )
    warnings: list[ResetCodeCount] = strawberry.field(
        description="The users' warnings (VIP_RELATIONSHIPS_DELETED, CONTACTS_REMOVED), by code."
    )

    @classmethod
    def from_domain(cls, summary: reset_selection.ResetSummary) -> ResetSummary:
        return cls(
            users=summary.total,
            succeeded=summary.succeeded,
            partial=summary.partial,
            failed=summary.failed,
            actions=[ResetActionSummary.from_domain(a) for a in summary.ordered_actions()],
            errors=_counts(summary.errors),
            warnings=_counts(summary.warnings),
        )

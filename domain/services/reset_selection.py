"""A reset over a selection of users instead of a list of ids, and the dry run's summary.

A selection (``UserSelection``) names users by what they are: a location, a
configuration group, a team, a search text, VIP or not, blocked or not, with or
without an e-mail address. It is resolved when the reset runs, within the
locations the administrator sees (``visibility.location_scope``), in id order:
the users of a sub-administrator's other locations are never part of it. More than
``MAX_USERS_PER_RESET`` users is TOO_MANY_USERS, as for ids.

The summary (``ResetSummary``) counts what a reset did or would do: users by
status, and for each action how many were done and how many refused, by code,
so that a dry run over 10,000 users answers in a few numbers and a sample.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from domain import visibility
from domain.error_codes import ErrorCode
from domain.errors import DomainError
from domain.global_ids import to_global_id
from domain.ports import UnitOfWork, UserQuery
from domain.principals import Principal, require_admin
from domain.services.reset_outcomes import ResetOption, UserResetOutcome, UserResetStatus
from domain.services.validation import MAX_SEARCH_LENGTH, Problems

__all__ = [
    "SAMPLE_SIZE",
    "ActionSummary",
    "ResetSummary",
    "UserSelection",
    "resolve_selection",
    "summarize",
]

# How many users' results a summarised reset answers with.
SAMPLE_SIZE = 20


@dataclass(frozen=True)
class UserSelection:
    """Which users a reset takes; every criterion given must hold (None: any)."""

    location_id: int | None = None
    configuration_group_id: int | None = None
    team_id: int | None = None
    search: str | None = None
    is_vip: bool | None = None
    blocked: bool | None = None
    has_email: bool | None = None

    def as_dict(self) -> dict[str, object]:
        """The selection as stored with a job, its criteria by name."""
        return {name: value for name, value in self.__dict__.items() if value is not None}

    @classmethod
    def from_dict(cls, values: dict[str, object]) -> UserSelection:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})  # type: ignore[arg-type]


async def resolve_selection(
    uow: UnitOfWork, actor: Principal, selection: UserSelection, limit: int
) -> list[int]:
    """The ids of the selected users the administrator sees, in id order; more than
    ``limit`` of them is TOO_MANY_USERS."""
    admin = require_admin(actor)
    search = (selection.search or "").strip()
    problems = Problems()
    problems.text(search, MAX_SEARCH_LENGTH, "selection", "search")
    problems.raise_if_any()
    query = UserQuery(
        search=search or None,
        location_id=selection.location_id,
        configuration_group_id=selection.configuration_group_id,
        team_id=selection.team_id,
        is_vip=selection.is_vip,
        blocked=selection.blocked,
        has_email=selection.has_email,
        location_ids=visibility.location_scope(admin),
    )
    async with uow.reading() as reading:
        ids = await reading.users.ids(query, limit + 1)
    if len(ids) > limit:
        raise DomainError.of(
            ErrorCode.TOO_MANY_USERS, f"At most {limit} users per reset.", "selection"
        )
    return ids


def selected_keys(ids: Iterable[int]) -> list[tuple[str, int | None]]:
    """The selected users as a reset's requested keys: each one's global id."""
    return [(to_global_id("User", user_id), user_id) for user_id in ids]


@dataclass
class ActionSummary:
    """One action over every user of a reset."""

    option: ResetOption
    done: int = 0
    failed: int = 0
    changes: int = 0
    errors: Counter[str] = field(default_factory=Counter)


@dataclass
class ResetSummary:
    """What a reset did (or, dry, would do) to all its users."""

    total: int = 0
    succeeded: int = 0
    partial: int = 0
    failed: int = 0
    actions: dict[ResetOption, ActionSummary] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    warnings: Counter[str] = field(default_factory=Counter)

    def add(self, outcomes: Sequence[UserResetOutcome]) -> None:
        for outcome in outcomes:
            self.total += 1
            status = outcome.status
            if status is UserResetStatus.SUCCEEDED:
                self.succeeded += 1
            elif status is UserResetStatus.PARTIAL:
                self.partial += 1
            else:
                self.failed += 1
            self.errors.update(p.code.value for p in outcome.problems)
            self.warnings.update(p.code.value for p in outcome.warnings)
            for action in outcome.actions:
                summary = self.actions.setdefault(action.option, ActionSummary(action.option))
                summary.changes += action.changes
                if action.done:
                    summary.done += 1
                else:
                    summary.failed += 1
                    summary.errors.update(p.code.value for p in action.problems)

    def ordered_actions(self) -> list[ActionSummary]:
        return [self.actions[o] for o in ResetOption if o in self.actions]


def summarize(outcomes: Sequence[UserResetOutcome]) -> ResetSummary:
    summary = ResetSummary()
    summary.add(outcomes)
    return summary

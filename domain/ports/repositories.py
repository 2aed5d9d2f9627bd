"""The repositories: small, speaking in entities.

Bulk readers (``get_many``, ``…_for``) exist so that a page of users is
resolved in a few statements whatever its size. Every repository method runs
inside the unit of work's transaction.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from domain.model import (
    ConfigurationGroup,
    Contact,
    DirectoryDataSource,
    EmailGateway,
    Location,
    MailKind,
    MailTemplate,
    OutgoingMail,
    RelationshipLevel,
    ResetUndoRecord,
    Team,
    TeamInfo,
    User,
)
from domain.ports.documents import DocumentShape

__all__ = [
    "ConfigurationGroupRepository",
    "ContactOwners",
    "ContactRepository",
    "DirectoryDataSourceRepository",
    "EmailGatewayRepository",
    "LocationRepository",
    "MailTemplateRepository",
    "OutboxRepository",
    "Page",
    "RelationshipRepository",
    "ResetUndoRepository",
    "TeamRepository",
    "UserQuery",
    "UserRepository",
]


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    has_next: bool
    # None when the caller did not ask for the count (it costs a statement).
    total: int | None
    # Items come before the page: read from the end, one more was there; read from
    # the start, the page began after a cursor.
    has_previous: bool = False


@dataclass(frozen=True)
class UserQuery:
    """Which users a page holds. ``location_ids`` None: every location."""

    search: str | None = None
    location_id: int | None = None
    configuration_group_id: int | None = None
    team_id: int | None = None
    is_vip: bool | None = None
    location_ids: frozenset[int] | None = None
    blocked: bool | None = None
    has_email: bool | None = None


@dataclass(frozen=True)
class ContactOwners:
    """Whose contact lists a count reads: one user's (``user_id``), or the users of these
    locations (``location_ids``; None: every user's)."""

    location_ids: frozenset[int] | None = None
    user_id: int | None = None


class LocationRepository(Protocol):
    async def get(self, location_id: int) -> Location | None: ...
    async def get_many(self, ids: Iterable[int]) -> dict[int, Location]: ...
    async def list(self, only_ids: frozenset[int] | None = None) -> list[Location]: ...
    async def add(self, location: Location) -> Location: ...
    async def update(self, location: Location) -> None: ...
    async def delete(self, location_id: int) -> None: ...
    async def name_taken(self, name: str, except_id: int | None = None) -> bool: ...
    async def is_in_use(self, location_id: int) -> bool:
        """True while users, configuration groups or sub-administrators limited to the
        location belong to it; each of them blocks its deletion."""
        ...


class ConfigurationGroupRepository(Protocol):
    async def get(self, group_id: int) -> ConfigurationGroup | None: ...
    async def get_many(self, ids: Iterable[int]) -> dict[int, ConfigurationGroup]: ...
    async def for_locations(
        self, location_ids: Iterable[int]
    ) -> dict[int, builtins.list[ConfigurationGroup]]: ...
    async def add(self, group: ConfigurationGroup) -> ConfigurationGroup: ...
    async def update(self, group: ConfigurationGroup) -> None: ...
    async def delete(self, group_id: int) -> None: ...
    async def name_taken(self, location_id: int, name: str) -> bool: ...
    async def has_users(self, group_id: int) -> bool: ...


class UserRepository(Protocol):
    async def get(self, user_id: int, *, for_update: bool = False) -> User | None:
        """``for_update``: the row stays locked until the transaction ends, so a
        read-modify-write of the user cannot interleave with another (PostgreSQL;
        on SQLite a writing transaction holds the whole database already)."""
        ...

    async def get_by_login(self, login: str, *, for_update: bool = False) -> User | None: ...
    async def with_email(self, email: str, limit: int = 2) -> list[User]:
        """Up to ``limit`` users whose e-mail address is ``email``, ignoring case."""
        ...

    async def get_many(
        self, ids: Iterable[int], *, for_update: bool = False
    ) -> dict[int, User]: ...
    async def page(
        self,
        query: UserQuery,
        after_id: int | None,
        first: int,
        *,
        with_total: bool = True,
        before_id: int | None = None,
        from_end: bool = False,
    ) -> Page[User]:
        """Users ordered by id, after ``after_id`` and before ``before_id``: the first
        ``first`` of them, or the last ``first`` when ``from_end``; ``total`` counts the
        whole query (only ``with_total``)."""
        ...

    async def page_document(
        self, query: UserQuery, after_id: int | None, first: int, shape: DocumentShape
    ) -> str | None:
        """The same page as JSON text of ``shape`` (domain/ports/documents.py), written
        by the database in one statement; None from a store that cannot."""
        ...

    async def ids(self, query: UserQuery, limit: int) -> list[int]:
        """The ids of the users the query holds, in id order, at most ``limit``."""
        ...

    async def add(self, user: User) -> User: ...
    async def update(self, user: User) -> None: ...
    async def update_many(self, users: Sequence[User]) -> None:
        """Stores each user as ``update`` would, in one statement."""
        ...

    async def delete(self, user_id: int) -> None: ...
    async def login_taken(self, login: str, except_id: int | None = None) -> bool: ...
    async def work_phone_taken(self, phone: str, except_id: int | None = None) -> bool: ...


class TeamRepository(Protocol):
    async def get(self, team_id: int) -> Team | None: ...
    async def get_many(self, ids: Iterable[int]) -> dict[int, Team]: ...
    async def list(self) -> list[Team]: ...
    async def for_members(self, user_ids: Iterable[int]) -> dict[int, builtins.list[Team]]:
        """The teams of each given user (users without a team are absent)."""
        ...

    async def infos_for_members(
        self, user_ids: Iterable[int]
    ) -> dict[int, builtins.list[TeamInfo]]:
        """Each given user's teams by name, without member lists: reads only the
        given users' memberships, however large the teams (users without a team
        are absent)."""
        ...

    async def member_ids(self, team_ids: Iterable[int]) -> dict[int, builtins.list[int]]:
        """Each team's member ids, ascending (teams without members are absent)."""
        ...

    async def add(self, team: Team) -> Team: ...
    async def update(self, team: Team) -> None: ...
    async def delete(self, team_id: int) -> None: ...


class RelationshipRepository(Protocol):
    """The relationships users set themselves; defaults are never stored."""

    async def own_for(
        self, owner_ids: Iterable[int]
    ) -> dict[int, dict[int, RelationshipLevel]]: ...
    async def set(self, owner_id: int, target_id: int, level: RelationshipLevel) -> None: ...
    async def remove_all(self, owner_id: int) -> int: ...
    async def remove_all_of(self, owner_ids: Iterable[int]) -> int:
        """Every own relationship of each owner; how many were removed."""
        ...


class ContactRepository(Protocol):
    async def for_owners(self, owner_ids: Iterable[int]) -> dict[int, list[Contact]]: ...
    async def add(self, contact: Contact) -> Contact: ...
    async def exists(self, contact: Contact) -> bool:
        """True when the owner's list holds the same user or data-source entry."""
        ...

    async def from_inactive_sources(self, owner_id: int) -> builtins.list[Contact]:
        """The owner's contacts whose directory data source is deactivated."""
        ...

    async def from_inactive_sources_of(self, owner_ids: Iterable[int]) -> builtins.list[Contact]:
        """``from_inactive_sources`` of several owners, by contact id."""
        ...

    async def remove(self, contact_ids: Iterable[int]) -> int: ...
    async def count_by_data_source(
        self, source_ids: Iterable[int], owners: ContactOwners
    ) -> dict[int, int]:
        """How many contacts of the owners' lists come from each data source, in one
        statement; a source with none is absent."""
        ...


class DirectoryDataSourceRepository(Protocol):
    async def get(self, source_id: int) -> DirectoryDataSource | None: ...
    async def get_many(self, ids: Iterable[int]) -> dict[int, DirectoryDataSource]: ...
    async def list(self) -> list[DirectoryDataSource]: ...
    async def add(self, source: DirectoryDataSource) -> DirectoryDataSource: ...
    async def update(self, source: DirectoryDataSource) -> None: ...
    async def name_taken(self, name: str) -> bool: ...


class EmailGatewayRepository(Protocol):
    """The one E-Mail Gateway of the server, if configured."""

    async def get(self) -> EmailGateway | None: ...
    async def save(self, gateway: EmailGateway) -> None: ...


class MailTemplateRepository(Protocol):
    """The locations' own mail texts, one per (location, kind, language)."""

    async def for_location(self, location_id: int) -> builtins.list[MailTemplate]:
        """Ordered by kind and language."""
        ...

    async def get(self, location_id: int, kind: MailKind, language: str) -> MailTemplate | None: ...
    async def for_locations(self, location_ids: Iterable[int]) -> builtins.list[MailTemplate]:
        """Every template of these locations, in one statement (the dispatcher's batch)."""
        ...

    async def save(self, template: MailTemplate) -> None:
        """Creates the template or replaces the one of its location, kind and language."""
        ...

    async def delete(self, location_id: int, kind: MailKind, language: str) -> bool:
        """Whether there was one."""
        ...


class OutboxRepository(Protocol):
    async def add(self, mail: OutgoingMail) -> OutgoingMail: ...
    async def add_many(self, mails: Sequence[OutgoingMail]) -> None:
        """Queues the messages in one statement (their ids are not read back)."""
        ...

    async def get(self, mail_id: int) -> OutgoingMail | None: ...
    async def latest_to(
        self, user_ids: Sequence[int], per_user: int
    ) -> dict[int, list[OutgoingMail]]:
        """The newest ``per_user`` mails to each user, newest first, without their secret
        and claim; one statement."""
        ...

    async def claim_due(
        self, now: datetime, claim_until: datetime, limit: int, *, token: str
    ) -> builtins.list[OutgoingMail]:
        """Pending messages due at ``now`` and not claimed by another dispatcher
        (``claimed_until`` unset or past), oldest first, at most ``limit``; they
        come back with ``claimed_until`` and ``claim_token`` set, stored.

        On PostgreSQL the rows are locked ``FOR UPDATE SKIP LOCKED`` while they
        are claimed, so concurrent dispatchers never claim the same message.
        """
        ...

    async def renew_claim(self, token: str, ids: Iterable[int], claim_until: datetime) -> set[int]:
        """Extends the claim ``token`` of those messages that are still pending and
        still carry it; their ids (the others were taken over or finished)."""
        ...

    async def record_attempt(self, mail: OutgoingMail, *, token: str) -> bool:
        """Stores the message as ``update`` does, but only while it is pending and
        still carries the claim ``token``; whether it did."""
        ...

    async def release_claim(self, token: str, ids: Iterable[int]) -> None:
        """Ends the claim ``token`` of those messages (due again at once)."""
        ...

    async def update(self, mail: OutgoingMail) -> None: ...


class ResetUndoRepository(Protocol):
    """What resets removed or overwrote, kept per user and action until it expires."""

    async def add_many(self, records: Sequence[ResetUndoRecord]) -> None:
        """Keeps the records in one statement (their ids are not read back)."""
        ...

    async def users_of(self, reset_id: str) -> builtins.list[int]:
        """The ids of the users the reset kept something for, ascending."""
        ...

    async def for_users(
        self, reset_id: str, user_ids: Iterable[int], *, for_update: bool = False
    ) -> builtins.list[ResetUndoRecord]:
        """The reset's records of those users, by id; ``for_update`` locks them."""
        ...

    async def mark_undone(self, record_ids: Iterable[int], at: datetime, by: str) -> None: ...
    async def purge_expired(self, now: datetime) -> int:
        """Removes every record expired at ``now``; how many."""
        ...

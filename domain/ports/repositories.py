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
    Administrator,
    ApiToken,
    AuditEvent,
    ConfigurationGroup,
    Contact,
    DirectoryDataSource,
    EmailGateway,
    Location,
    OutgoingMail,
    RelationshipLevel,
    ResetUndoRecord,
    SessionSubject,
    SignInSession,
    Team,
    TeamInfo,
    User,
)
from domain.ports.documents import DocumentShape

__all__ = [
    "AdministratorRepository",
    "ApiTokenRepository",
    "AuditQuery",
    "AuditRepository",
    "ConfigurationGroupRepository",
    "ContactRepository",
    "DirectoryDataSourceRepository",
    "EmailGatewayRepository",
    "LocationRepository",
    "OutboxRepository",
    "Page",
    "RelationshipRepository",
    "ResetUndoRepository",
    "SessionRepository",
    "SignInAttemptRepository",
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


@dataclass(frozen=True)
class UserQuery:
    """Which users a page holds. ``location_ids`` None: every location."""

    search: str | None = None
    location_id: int | None = None
    configuration_group_id: int | None = None
    team_id: int | None = None
    is_vip: bool | None = None
    location_ids: frozenset[int] | None = None


@dataclass(frozen=True)
class AuditQuery:
    target_user_id: int | None = None
    # None: every event. Otherwise only the events concerning these locations:
    # recorded for one of them, or about a user who lives in one of them now.
    location_ids: frozenset[int] | None = None


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
    async def get_many(
        self, ids: Iterable[int], *, for_update: bool = False
    ) -> dict[int, User]: ...
    async def page(
        self, query: UserQuery, after_id: int | None, first: int, *, with_total: bool = True
    ) -> Page[User]:
        """Users ordered by id, after ``after_id``; ``total`` counts the whole query
        (only ``with_total``)."""
        ...

    async def page_document(
        self, query: UserQuery, after_id: int | None, first: int, shape: DocumentShape
    ) -> str | None:
        """The same page as JSON text of ``shape`` (domain/ports/documents.py), written
        by the database in one statement; None from a store that cannot."""
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


class DirectoryDataSourceRepository(Protocol):
    async def get(self, source_id: int) -> DirectoryDataSource | None: ...
    async def get_many(self, ids: Iterable[int]) -> dict[int, DirectoryDataSource]: ...
    async def list(self) -> list[DirectoryDataSource]: ...
    async def add(self, source: DirectoryDataSource) -> DirectoryDataSource: ...
    async def update(self, source: DirectoryDataSource) -> None: ...
    async def name_taken(self, name: str) -> bool: ...


class AdministratorRepository(Protocol):
    async def get(self, admin_id: int, *, for_update: bool = False) -> Administrator | None:
        """``for_update`` locks the administrator's row until the transaction ends."""
        ...

    async def get_by_login(self, login: str) -> Administrator | None: ...
    async def get_many(self, ids: Iterable[int]) -> dict[int, Administrator]: ...
    async def list(self, *, for_update: bool = False) -> builtins.list[Administrator]:
        """By login; ``for_update`` locks every administrator's row (they are few), so that
        a decision about all of them (the last system administrator) stays true."""
        ...

    async def add(self, admin: Administrator) -> Administrator: ...
    async def set_blocked(self, admin_id: int, blocked: bool) -> None: ...
    async def delete(self, admin_id: int) -> None:
        """Its sessions and API tokens go with it."""
        ...

    async def login_taken(self, login: str) -> bool: ...


class ApiTokenRepository(Protocol):
    async def get(self, token_id: int) -> ApiToken | None: ...
    async def list(self, owner_id: int | None = None) -> builtins.list[ApiToken]:
        """The tokens of one owner (None: of everybody), revoked ones included, by id."""
        ...

    async def get_by_hash(self, token_hash: str) -> ApiToken | None: ...
    async def add(self, token: ApiToken) -> ApiToken: ...
    async def update(self, token: ApiToken) -> None: ...
    async def record_use(self, token_id: int, at: datetime) -> None:
        """Sets ``last_used_at`` alone: a concurrent revocation is never undone."""
        ...

    async def revoke_all(self, owner_id: int, at: datetime) -> int:
        """Revokes the owner's tokens that still work; how many."""
        ...


class SessionRepository(Protocol):
    async def get_by_hash(self, token_hash: str) -> SignInSession | None: ...
    async def get_with_subject(
        self, token_hash: str
    ) -> tuple[SignInSession, Administrator | User | None] | None:
        """The session of this token hash with its administrator or user (None when that
        is gone), read at once: every request authenticates."""
        ...

    async def add(self, session: SignInSession) -> SignInSession: ...
    async def delete_for(self, subject: SessionSubject, subject_id: int) -> int:
        """Ends every session of one user or administrator."""
        ...

    async def delete_for_all(self, subject: SessionSubject, subject_ids: Iterable[int]) -> int:
        """``delete_for`` of several users or administrators, in one statement."""
        ...

    async def delete_others(
        self, subject: SessionSubject, subject_id: int, keep_id: int | None
    ) -> int:
        """Ends every session of one user or administrator but ``keep_id`` (None: all)."""
        ...

    async def delete_by_hash(self, token_hash: str) -> int:
        """Ends the one session of this token hash (0: there is none)."""
        ...

    async def delete_expired(self, now: datetime) -> int:
        """Removes the sessions expired at ``now``, of everybody."""
        ...


class SignInAttemptRepository(Protocol):
    """Failed sign-ins per login key, for throttling."""

    async def record_failure(self, key: str, at: datetime) -> None: ...
    async def failures_since(self, key: str, since: datetime) -> list[datetime]:
        """The times of the failures at or after ``since``, oldest first."""
        ...

    async def clear(self, key: str) -> None: ...
    async def purge_before(self, at: datetime) -> int:
        """Removes the failures before ``at``, of every key; they no longer count."""
        ...


class AuditRepository(Protocol):
    async def add(self, event: AuditEvent) -> AuditEvent: ...
    async def add_many(self, events: Sequence[AuditEvent]) -> None:
        """Stores the events in one statement (their ids are not read back)."""
        ...

    async def page(self, query: AuditQuery, after_id: int | None, first: int) -> Page[AuditEvent]:
        """Newest first: ``after_id`` continues with older events."""
        ...


class EmailGatewayRepository(Protocol):
    """The one E-Mail Gateway of the server, if configured."""

    async def get(self) -> EmailGateway | None: ...
    async def save(self, gateway: EmailGateway) -> None: ...


class OutboxRepository(Protocol):
    async def add(self, mail: OutgoingMail) -> OutgoingMail: ...
    async def add_many(self, mails: Sequence[OutgoingMail]) -> None:
        """Queues the messages in one statement (their ids are not read back)."""
        ...

    async def get(self, mail_id: int) -> OutgoingMail | None: ...
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

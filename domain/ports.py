"""The ports the domain needs; ``persistence/``, ``mail/`` and ``server/`` implement them.

Repositories are small and speak in entities. Bulk readers (``get_many``,
``…_for``) exist so that a page of users is resolved in a few statements
whatever its size. Every repository method runs inside the unit of work's
transaction.
"""

from __future__ import annotations

import builtins
import enum
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Generic, Protocol, Self, TypeVar

from domain.model import (
    Administrator,
    ApiToken,
    AuditEvent,
    ConfigurationGroup,
    Contact,
    DirectoryDataSource,
    EmailGateway,
    Location,
    MailKind,
    OutgoingMail,
    RelationshipLevel,
    SessionSubject,
    SignInSession,
    SmtpSecurity,
    Team,
    TeamInfo,
    User,
)

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


class UnitOfWork(Protocol):
    """One transaction. Leaving the block without ``commit()`` rolls back.

    A unit of work may be entered again after it was left; each entry is a
    new transaction.
    """

    locations: LocationRepository
    groups: ConfigurationGroupRepository
    users: UserRepository
    teams: TeamRepository
    relationships: RelationshipRepository
    contacts: ContactRepository
    data_sources: DirectoryDataSourceRepository
    administrators: AdministratorRepository
    api_tokens: ApiTokenRepository
    sessions: SessionRepository
    sign_in_attempts: SignInAttemptRepository
    audit: AuditRepository
    email_gateway: EmailGatewayRepository
    outbox: OutboxRepository

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...

    def reading(self) -> UnitOfWork:
        """A unit of work for reads only, on its own transaction.

        It never takes a write lock (SQLite's writers would otherwise keep
        readers waiting), and it cannot commit.
        """
        ...

    def snapshot(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """One read transaction, open for the block: the ``reading()`` units of work
        of the yielded unit of work all use it, so several services' reads cost one
        transaction and see one state. It cannot commit."""
        ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class PasswordHasher(Protocol):
    """Slow, salted hashing (argon2id); async so it can run off the event loop."""

    async def hash(self, secret: str) -> str: ...
    async def verify(self, hashed: str | None, secret: str) -> bool:
        """False for ``hashed`` None, after the same work as a real check (no timing hint)."""
        ...


class RandomSource(Protocol):
    def token(self) -> str:
        """An unguessable bearer token."""
        ...

    def choice(self, alphabet: str) -> str:
        """One character of ``alphabet``, from a cryptographically secure source."""
        ...

    def shuffled(self, items: builtins.list[str]) -> builtins.list[str]:
        """The items in a cryptographically random order."""
        ...


class SecretBox(Protocol):
    """Authenticated encryption of secrets at rest (key: CONNECT_SECRET_KEY)."""

    def encrypt(self, plaintext: str) -> str: ...
    def decrypt(self, ciphertext: str) -> str: ...


@dataclass(frozen=True)
class SmtpSettings:
    """The gateway as the mail adapter needs it, password decrypted."""

    host: str
    port: int
    security: SmtpSecurity
    sender_address: str
    sender_name: str | None = None
    username: str | None = None
    password: str | None = None


@dataclass(frozen=True)
class MailMessage:
    """One message to render and send. ``secret`` is the password or PIN, if any."""

    message_id: str
    kind: MailKind
    recipient: str
    context: dict[str, object]
    secret: str | None = None


class DeliveryOutcome(enum.Enum):
    SENT = "SENT"
    # 4xx, timeout, refused or dropped connection: try again later.
    RETRY = "RETRY"
    # 5xx: the server will never take this message.
    FAILED = "FAILED"


@dataclass(frozen=True)
class Delivery:
    outcome: DeliveryOutcome
    reply_code: int | None
    # The server's answer or the connection problem; never message content.
    detail: str


class MailConnection(Protocol):
    async def send(self, message: MailMessage) -> Delivery:
        """Sends one message and answers once the server replied to it. Once the
        connection failed (refused, timeout, TLS, AUTH, dropped, cancelled), every
        further message gets that failure's RETRY without being tried."""
        ...


class MailSender(Protocol):
    def connect(self, smtp: SmtpSettings) -> AbstractAsyncContextManager[MailConnection]:
        """One SMTP connection for the block, opened with the first message sent
        on it and closed at the end of the block."""
        ...

    async def send(
        self, smtp: SmtpSettings, messages: Sequence[MailMessage]
    ) -> builtins.list[Delivery]:
        """Sends the messages over one SMTP connection; one Delivery per message,
        in order. A failure of the connection itself (refused, timeout, TLS or
        AUTH refused with 4xx) answers RETRY for every message not yet sent."""
        ...


@dataclass(frozen=True)
class ProgressSnapshot:
    """How far a long operation has come."""

    done: int
    total: int
    finished: bool = False


@dataclass(frozen=True)
class FinishedRun:
    run_id: str
    snapshot: ProgressSnapshot


@dataclass(frozen=True)
class StoredProgress:
    # Which start of the operation this is: an id can be used again once finished.
    run_id: str
    # None: started, nothing reported yet.
    snapshot: ProgressSnapshot | None
    updated_at: datetime
    # The finished run that this one replaced under the same id, if any.
    previous: FinishedRun | None = None


class ProgressClaim(enum.Enum):
    CLAIMED = "CLAIMED"
    # The caller runs an unfinished operation with this id.
    IN_USE = "IN_USE"
    # The caller has as many unfinished operations as it may.
    LIMIT_REACHED = "LIMIT_REACHED"


ProgressKey = tuple[int, str]
"""(caller, operation id): the caller is the administrator who runs the operation."""


class ProgressStore(Protocol):
    """The progress of long operations, shared by every process that serves the API.

    A record not updated since ``forget_before`` (finished long ago, or
    abandoned by a process that ended) is forgotten when the next claim is made.
    """

    async def claim(
        self,
        key: ProgressKey,
        run_id: str,
        *,
        now: datetime,
        forget_before: datetime,
        max_unfinished: int,
    ) -> ProgressClaim:
        """Starts run ``run_id`` of the operation, nothing reported yet: CLAIMED when
        the key is free or holds a finished run (which it replaces)."""
        ...

    async def save(
        self, key: ProgressKey, run_id: str, snapshot: ProgressSnapshot | None, now: datetime
    ) -> bool:
        """Stores the run's state (None: unchanged, only ``updated_at``). False when the
        record is no longer this unfinished run's: forgotten, or claimed again."""
        ...

    async def load_many(
        self, keys: Iterable[ProgressKey]
    ) -> builtins.dict[ProgressKey, StoredProgress]: ...

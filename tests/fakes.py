"""In-memory implementations of the ports of ``domain.ports``.

They behave like the SQL adapters where the domain can tell: ids come from a
sequence per table starting at 1, readers return fresh copies (changing an
entity changes nothing until ``update``), orderings and ``page()`` semantics
match, deleting a user cascades like the foreign keys do, and unique or
foreign-key constraints raise :class:`FakeIntegrityError`. The outbox's
``claim_due`` picks and marks messages like the SQL adapter does.

``FakeUnitOfWork`` copies the committed state on entry and swaps the working
copy in on ``commit()``; leaving the block without commit discards it.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import copy
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self, TypeVar

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
    MailStatus,
    MailTemplate,
    OutgoingMail,
    RelationshipLevel,
    ResetUndoRecord,
    SessionSubject,
    SignInFailure,
    SignInLockout,
    SignInSession,
    Team,
    TeamInfo,
    User,
)
from domain.password_link_model import PasswordLink
from domain.ports import (
    AuditQuery,
    ContactOwners,
    Delivery,
    DeliveryOutcome,
    DocumentShape,
    FinishedRun,
    MailMessage,
    MailSender,
    Page,
    PasswordHasher,
    ProgressClaim,
    ProgressKey,
    ProgressSnapshot,
    RandomSource,
    SecretBox,
    SmtpSettings,
    StoredProgress,
    UnitOfWork,
    UserQuery,
)
from domain.reset_job_model import ResetJob, ResetJobResult
from domain.services.config import ServiceConfig
from domain.services.registry import Services
from domain.webhook_model import WebhookDelivery, WebhookEndpoint
from mail.render import JinjaMailTemplates
from tests.fake_password_links import FakePasswordLinkRepository
from tests.fake_reset_jobs import FakeResetJobRepository
from tests.fake_webhooks import FakeWebhookRepository

E = TypeVar("E")

START = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def _window(
    items: list[E], first: int, total: int | None, after: bool, before: bool, from_end: bool
) -> Page[E]:
    """A page of the items between the cursors, in order: the first ``first`` of them, or
    the last when ``from_end``; the other side says whether a cursor was given there."""
    if from_end:
        page = items[-first:] if first else []
        return Page(items=page, has_next=before, total=total, has_previous=len(items) > first)
    return Page(items=items[:first], has_next=len(items) > first, total=total, has_previous=after)


class FakeStorageError(Exception):
    """A storage failure the fake was told to produce."""


class FakeIntegrityError(Exception):
    """What the database would refuse: a unique or foreign-key constraint."""


def _distinct(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(ids))


@dataclass
class FakeStore:
    """The tables. Own relationships live in ``relationships``, keyed (owner, target)."""

    locations: dict[int, Location] = field(default_factory=dict)
    groups: dict[int, ConfigurationGroup] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    relationships: dict[tuple[int, int], RelationshipLevel] = field(default_factory=dict)
    teams: dict[int, Team] = field(default_factory=dict)
    contacts: dict[int, Contact] = field(default_factory=dict)
    data_sources: dict[int, DirectoryDataSource] = field(default_factory=dict)
    administrators: dict[int, Administrator] = field(default_factory=dict)
    api_tokens: dict[int, ApiToken] = field(default_factory=dict)
    sessions: dict[int, SignInSession] = field(default_factory=dict)
    # (id, key, at, client)
    sign_in_failures: list[tuple[int, str, datetime, str]] = field(default_factory=list)
    sign_in_lockouts: dict[tuple[str, str], SignInLockout] = field(default_factory=dict)
    audit: dict[int, AuditEvent] = field(default_factory=dict)
    email_gateway: EmailGateway | None = None
    outbox: dict[int, OutgoingMail] = field(default_factory=dict)
    reset_undo: dict[int, ResetUndoRecord] = field(default_factory=dict)
    mail_templates: dict[tuple[int, MailKind, str], MailTemplate] = field(default_factory=dict)
    webhook_endpoints: dict[int, WebhookEndpoint] = field(default_factory=dict)
    webhook_deliveries: dict[int, WebhookDelivery] = field(default_factory=dict)
    password_links: dict[int, PasswordLink] = field(default_factory=dict)
    reset_jobs: dict[int, ResetJob] = field(default_factory=dict)
    reset_job_results: dict[tuple[int, int], ResetJobResult] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        self.sequences[table] = self.sequences.get(table, 0) + 1
        return self.sequences[table]


class _Repository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def _db(self) -> FakeStore:
        return self._uow.store


def _copy(entity: E) -> E:
    return copy.deepcopy(entity)


class FakeLocationRepository(_Repository):
    async def get(self, location_id: int) -> Location | None:
        return _copy(self._db.locations.get(location_id))

    async def get_many(self, ids: Iterable[int]) -> dict[int, Location]:
        return {i: _copy(self._db.locations[i]) for i in _distinct(ids) if i in self._db.locations}

    async def list(self, only_ids: frozenset[int] | None = None) -> builtins.list[Location]:
        found = [
            loc for loc in self._db.locations.values() if only_ids is None or loc.id in only_ids
        ]
        return [_copy(loc) for loc in sorted(found, key=lambda loc: (loc.name, loc.id))]

    async def add(self, location: Location) -> Location:
        if await self.name_taken(location.name):
            raise FakeIntegrityError("locations.name")
        location.id = self._db.next_id("locations")
        self._db.locations[location.id] = _copy(location)
        return location

    async def update(self, location: Location) -> None:
        if location.id in self._db.locations:
            if await self.name_taken(location.name, location.id):
                raise FakeIntegrityError("locations.name")
            self._db.locations[location.id] = _copy(location)

    async def delete(self, location_id: int) -> None:
        if await self.is_in_use(location_id):
            raise FakeIntegrityError("locations referenced")
        self._db.locations.pop(location_id, None)
        for key in [key for key in self._db.mail_templates if key[0] == location_id]:
            del self._db.mail_templates[key]  # ON DELETE CASCADE
        for event in self._db.audit.values():  # ON DELETE SET NULL
            if event.location_id == location_id:
                event.location_id = None

    async def name_taken(self, name: str, except_id: int | None = None) -> bool:
        return any(loc.name == name and loc.id != except_id for loc in self._db.locations.values())

    async def is_in_use(self, location_id: int) -> bool:
        """Like the SQL adapter: users, groups or sub-administrators limited to it."""
        db = self._db
        return (
            any(u.location_id == location_id for u in db.users.values())
            or any(g.location_id == location_id for g in db.groups.values())
            or any(location_id in a.location_ids for a in db.administrators.values())
        )


class FakeConfigurationGroupRepository(_Repository):
    async def get(self, group_id: int) -> ConfigurationGroup | None:
        return _copy(self._db.groups.get(group_id))

    async def get_many(self, ids: Iterable[int]) -> dict[int, ConfigurationGroup]:
        return {i: _copy(self._db.groups[i]) for i in _distinct(ids) if i in self._db.groups}

    async def for_locations(
        self, location_ids: Iterable[int]
    ) -> dict[int, builtins.list[ConfigurationGroup]]:
        wanted = set(location_ids)
        found: dict[int, list[ConfigurationGroup]] = {}
        for group in sorted(self._db.groups.values(), key=lambda g: (g.location_id, g.name, g.id)):
            if group.location_id in wanted:
                found.setdefault(group.location_id, []).append(_copy(group))
        return found

    async def add(self, group: ConfigurationGroup) -> ConfigurationGroup:
        if group.location_id not in self._db.locations:
            raise FakeIntegrityError("configuration_groups.location_id")
        if await self.name_taken(group.location_id, group.name):
            raise FakeIntegrityError("configuration_groups.location_id, name")
        group.id = self._db.next_id("configuration_groups")
        self._db.groups[group.id] = _copy(group)
        return group

    async def update(self, group: ConfigurationGroup) -> None:
        """Not in the port; the SQL adapter has it too."""
        if group.id in self._db.groups:
            self._db.groups[group.id] = _copy(group)

    async def delete(self, group_id: int) -> None:
        if await self.has_users(group_id):
            raise FakeIntegrityError("users.configuration_group_id")
        self._db.groups.pop(group_id, None)

    async def name_taken(self, location_id: int, name: str) -> bool:
        return any(
            g.location_id == location_id and g.name == name for g in self._db.groups.values()
        )

    async def has_users(self, group_id: int) -> bool:
        return any(u.configuration_group_id == group_id for u in self._db.users.values())


def _matches(user: User, query: UserQuery, db: FakeStore) -> bool:
    if query.search:
        needle = query.search.lower()
        fields = [user.login, user.first_name, user.last_name, user.display_name, user.email]
        if not any(f is not None and needle in f.lower() for f in fields):
            return False
    if query.location_id is not None and user.location_id != query.location_id:
        return False
    if (
        query.configuration_group_id is not None
        and user.configuration_group_id != query.configuration_group_id
    ):
        return False
    if query.team_id is not None:
        team = db.teams.get(query.team_id)
        if team is None or user.id not in team.member_ids:
            return False
    if query.is_vip is not None and user.is_vip != query.is_vip:
        return False
    if query.blocked is not None and user.blocked != query.blocked:
        return False
    if query.has_email is not None and bool(user.email) != query.has_email:
        return False
    return query.location_ids is None or user.location_id in query.location_ids


class FakeUserRepository(_Repository):
    """Users only; own relationships live in ``FakeRelationshipRepository``."""

    def _read(self, user_id: int) -> User | None:
        return _copy(self._db.users.get(user_id))

    async def get(self, user_id: int, *, for_update: bool = False) -> User | None:
        return self._read(user_id)

    async def get_by_login(self, login: str, *, for_update: bool = False) -> User | None:
        for user in self._db.users.values():
            if user.login == login:
                return self._read(user.id)
        return None

    async def with_email(self, email: str, limit: int = 2) -> list[User]:
        found = [u.id for u in self._db.users.values() if (u.email or "").lower() == email.lower()]
        return [u for u in (self._read(user_id) for user_id in found[:limit]) if u is not None]

    async def get_many(self, ids: Iterable[int], *, for_update: bool = False) -> dict[int, User]:
        found: dict[int, User] = {}
        for i in _distinct(ids):
            user = self._read(i)
            if user is not None:
                found[i] = user
        return found

    async def ids(self, query: UserQuery, limit: int) -> list[int]:
        return sorted(u.id for u in self._db.users.values() if _matches(u, query, self._db))[:limit]

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
        if first < 0:
            raise ValueError("first must not be negative")
        matching = sorted(u.id for u in self._db.users.values() if _matches(u, query, self._db))
        window = [
            i
            for i in matching
            if (after_id is None or i > after_id) and (before_id is None or i < before_id)
        ]
        total = len(matching) if with_total else None
        return _window(
            [u for i in window if (u := self._read(i)) is not None],
            first,
            total,
            after_id is not None,
            before_id is not None,
            from_end,
        )

    async def page_document(
        self, query: UserQuery, after_id: int | None, first: int, shape: DocumentShape
    ) -> str | None:
        return None  # as SQLite: the page is read as entities

    def _check(self, user: User) -> None:
        db = self._db
        if user.location_id not in db.locations:
            raise FakeIntegrityError("users.location_id")
        if user.configuration_group_id is not None and user.configuration_group_id not in (
            db.groups
        ):
            raise FakeIntegrityError("users.configuration_group_id")
        for other in db.users.values():
            if other.id == user.id:
                continue
            if other.login == user.login:
                raise FakeIntegrityError("users.login")
            if user.work_phone is not None and other.work_phone == user.work_phone:
                raise FakeIntegrityError("users.work_phone")

    async def add(self, user: User) -> User:
        user.id = 0
        self._check(user)
        user.id = self._db.next_id("users")
        self._db.users[user.id] = _copy(user)
        return user

    async def update(self, user: User) -> None:
        if user.id not in self._db.users:
            return
        self._check(user)
        self._db.users[user.id] = _copy(user)

    async def update_many(self, users: Sequence[User]) -> None:
        for user in users:
            await self.update(user)

    async def delete(self, user_id: int) -> None:
        """Cascades like the foreign keys: relationships both ways, team memberships,
        contacts (own and pointing at the user), sessions; audit events and outbox
        messages keep no target."""
        db = self._db
        if db.users.pop(user_id, None) is None:
            return
        db.relationships = {
            pair: level for pair, level in db.relationships.items() if user_id not in pair
        }
        for team in db.teams.values():
            team.member_ids = [m for m in team.member_ids if m != user_id]
        db.contacts = {
            i: c for i, c in db.contacts.items() if user_id not in (c.owner_id, c.user_id)
        }
        db.sessions = {
            i: s
            for i, s in db.sessions.items()
            if not (s.subject is SessionSubject.USER and s.subject_id == user_id)
        }
        for event in db.audit.values():
            if event.target_user_id == user_id:
                event.target_user_id = None
        for mail in db.outbox.values():
            if mail.target_user_id == user_id:
                mail.target_user_id = None

    async def login_taken(self, login: str, except_id: int | None = None) -> bool:
        return any(u.login == login and u.id != except_id for u in self._db.users.values())

    async def work_phone_taken(self, phone: str, except_id: int | None = None) -> bool:
        return any(u.work_phone == phone and u.id != except_id for u in self._db.users.values())


class FakeTeamRepository(_Repository):
    """Teams carry all their members, ascending; readers order teams by name."""

    def _sorted(self, teams: Iterable[Team]) -> builtins.list[Team]:
        return [_copy(t) for t in sorted(teams, key=lambda t: (t.name, t.id))]

    async def get(self, team_id: int) -> Team | None:
        return _copy(self._db.teams.get(team_id))

    async def get_many(self, ids: Iterable[int]) -> dict[int, Team]:
        return {i: _copy(self._db.teams[i]) for i in _distinct(ids) if i in self._db.teams}

    async def list(self) -> builtins.list[Team]:
        return self._sorted(self._db.teams.values())

    async def for_members(self, user_ids: Iterable[int]) -> dict[int, builtins.list[Team]]:
        wanted = _distinct(user_ids)
        found: dict[int, list[Team]] = {}
        for team in self._sorted(self._db.teams.values()):
            for member in team.member_ids:
                if member in wanted:
                    found.setdefault(member, []).append(_copy(team))
        return found

    async def infos_for_members(
        self, user_ids: Iterable[int]
    ) -> dict[int, builtins.list[TeamInfo]]:
        return {
            user_id: [
                TeamInfo(
                    id=t.id, name=t.name, relationship=t.relationship, description=t.description
                )
                for t in teams
            ]
            for user_id, teams in (await self.for_members(user_ids)).items()
        }

    async def member_ids(self, team_ids: Iterable[int]) -> dict[int, builtins.list[int]]:
        return {
            i: sorted(self._db.teams[i].member_ids)
            for i in _distinct(team_ids)
            if i in self._db.teams and self._db.teams[i].member_ids
        }

    def _stored(self, team: Team) -> Team:
        members = sorted(_distinct(team.member_ids))
        for member in members:
            if member not in self._db.users:
                raise FakeIntegrityError("team_members.user_id")
        return replace(_copy(team), member_ids=members)

    async def add(self, team: Team) -> Team:
        stored = self._stored(team)
        team.id = stored.id = self._db.next_id("teams")
        self._db.teams[team.id] = stored
        return team

    async def update(self, team: Team) -> None:
        if team.id in self._db.teams:
            self._db.teams[team.id] = self._stored(team)

    async def delete(self, team_id: int) -> None:
        self._db.teams.pop(team_id, None)


class FakeRelationshipRepository(_Repository):
    async def own_for(self, owner_ids: Iterable[int]) -> dict[int, dict[int, RelationshipLevel]]:
        wanted = set(owner_ids)
        found: dict[int, dict[int, RelationshipLevel]] = {}
        for (owner, target), level in sorted(self._db.relationships.items()):
            if owner in wanted:
                found.setdefault(owner, {})[target] = level
        return found

    async def set(self, owner_id: int, target_id: int, level: RelationshipLevel) -> None:
        if owner_id not in self._db.users or target_id not in self._db.users:
            raise FakeIntegrityError("user_relationships")
        self._db.relationships[(owner_id, target_id)] = level

    async def remove_all(self, owner_id: int) -> int:
        mine = [pair for pair in self._db.relationships if pair[0] == owner_id]
        for pair in mine:
            del self._db.relationships[pair]
        return len(mine)

    async def remove_all_of(self, owner_ids: Iterable[int]) -> int:
        return sum([await self.remove_all(owner_id) for owner_id in _distinct(owner_ids)])


class FakeContactRepository(_Repository):
    async def for_owners(self, owner_ids: Iterable[int]) -> dict[int, list[Contact]]:
        wanted = set(owner_ids)
        found: dict[int, list[Contact]] = {}
        for contact in sorted(self._db.contacts.values(), key=lambda c: (c.owner_id, c.id)):
            if contact.owner_id in wanted:
                found.setdefault(contact.owner_id, []).append(_copy(contact))
        return found

    async def add(self, contact: Contact) -> Contact:
        db = self._db
        if contact.owner_id not in db.users or (
            contact.user_id is not None and contact.user_id not in db.users
        ):
            raise FakeIntegrityError("contacts user")
        if contact.data_source_id is not None and contact.data_source_id not in db.data_sources:
            raise FakeIntegrityError("contacts.data_source_id")
        contact.id = db.next_id("contacts")
        db.contacts[contact.id] = _copy(contact)
        return contact

    async def exists(self, contact: Contact) -> bool:
        if contact.user_id is not None:
            key: tuple[str, int | None, str | None] = ("user", contact.user_id, None)
        elif contact.data_source_id is not None and contact.external_id is not None:
            key = ("source", contact.data_source_id, contact.external_id)
        else:
            return False

        def key_of(c: Contact) -> tuple[str, int | None, str | None]:
            if c.user_id is not None:
                return ("user", c.user_id, None)
            return ("source", c.data_source_id, c.external_id)

        return any(
            c.owner_id == contact.owner_id and key_of(c) == key for c in self._db.contacts.values()
        )

    async def from_inactive_sources(self, owner_id: int) -> list[Contact]:
        return await self.from_inactive_sources_of([owner_id])

    async def from_inactive_sources_of(self, owner_ids: Iterable[int]) -> list[Contact]:
        db = self._db
        owners = set(owner_ids)
        return [
            _copy(c)
            for c in sorted(db.contacts.values(), key=lambda c: c.id)
            if c.owner_id in owners
            and c.data_source_id is not None
            and not db.data_sources[c.data_source_id].active
        ]

    async def count_by_data_source(
        self, source_ids: Iterable[int], owners: ContactOwners
    ) -> dict[int, int]:
        db = self._db
        wanted = set(source_ids)
        counts: dict[int, int] = {}
        for c in db.contacts.values():
            if c.data_source_id not in wanted:
                continue
            if owners.user_id is not None and c.owner_id != owners.user_id:
                continue
            if (
                owners.location_ids is not None
                and db.users[c.owner_id].location_id not in owners.location_ids
            ):
                continue
            counts[c.data_source_id] = counts.get(c.data_source_id, 0) + 1
        return counts

    async def remove(self, contact_ids: Iterable[int]) -> int:
        removed = 0
        for contact_id in set(contact_ids):
            if self._db.contacts.pop(contact_id, None) is not None:
                removed += 1
        return removed


class FakeDirectoryDataSourceRepository(_Repository):
    async def get(self, source_id: int) -> DirectoryDataSource | None:
        return _copy(self._db.data_sources.get(source_id))

    async def get_many(self, ids: Iterable[int]) -> dict[int, DirectoryDataSource]:
        db = self._db
        return {i: _copy(db.data_sources[i]) for i in _distinct(ids) if i in db.data_sources}

    async def list(self) -> builtins.list[DirectoryDataSource]:
        return [
            _copy(s) for s in sorted(self._db.data_sources.values(), key=lambda s: (s.name, s.id))
        ]

    async def add(self, source: DirectoryDataSource) -> DirectoryDataSource:
        if await self.name_taken(source.name):
            raise FakeIntegrityError("directory_data_sources.name")
        source.id = self._db.next_id("directory_data_sources")
        self._db.data_sources[source.id] = _copy(source)
        return source

    async def update(self, source: DirectoryDataSource) -> None:
        if source.id in self._db.data_sources:
            self._db.data_sources[source.id] = _copy(source)

    async def name_taken(self, name: str) -> bool:
        return any(s.name == name for s in self._db.data_sources.values())


class FakeAdministratorRepository(_Repository):
    async def get(self, admin_id: int, *, for_update: bool = False) -> Administrator | None:
        return _copy(self._db.administrators.get(admin_id))

    async def get_by_login(self, login: str) -> Administrator | None:
        for admin in self._db.administrators.values():
            if admin.login == login:
                return _copy(admin)
        return None

    async def get_many(self, ids: Iterable[int]) -> dict[int, Administrator]:
        db = self._db
        return {i: _copy(db.administrators[i]) for i in _distinct(ids) if i in db.administrators}

    async def list(self, *, for_update: bool = False) -> builtins.list[Administrator]:
        admins = sorted(self._db.administrators.values(), key=lambda a: (a.login, a.id))
        return [_copy(a) for a in admins]

    async def add(self, admin: Administrator) -> Administrator:
        if await self.login_taken(admin.login):
            raise FakeIntegrityError("administrators.login")
        if not admin.location_ids <= self._db.locations.keys():
            raise FakeIntegrityError("administrator_locations.location_id")
        admin.id = self._db.next_id("administrators")
        self._db.administrators[admin.id] = _copy(admin)
        return admin

    async def set_blocked(self, admin_id: int, blocked: bool) -> None:
        admin = self._db.administrators.get(admin_id)
        if admin is not None:
            admin.blocked = blocked

    async def set_password(
        self, admin_id: int, password_hash: str, *, change_required: bool
    ) -> None:
        admin = self._db.administrators.get(admin_id)
        if admin is not None:
            admin.password_hash = password_hash
            admin.password_change_required = change_required

    async def delete(self, admin_id: int) -> None:
        """Cascades like the foreign keys: its API tokens and sessions."""
        db = self._db
        if db.administrators.pop(admin_id, None) is None:
            return
        db.api_tokens = {i: t for i, t in db.api_tokens.items() if t.owner_id != admin_id}
        db.sessions = {
            i: s
            for i, s in db.sessions.items()
            if not (s.subject is SessionSubject.ADMINISTRATOR and s.subject_id == admin_id)
        }

    async def login_taken(self, login: str) -> bool:
        return any(a.login == login for a in self._db.administrators.values())


class FakeApiTokenRepository(_Repository):
    async def get(self, token_id: int) -> ApiToken | None:
        return _copy(self._db.api_tokens.get(token_id))

    async def get_by_hash(self, token_hash: str) -> ApiToken | None:
        for token in self._db.api_tokens.values():
            if token.token_hash == token_hash:
                return _copy(token)
        return None

    async def list(self, owner_id: int | None = None) -> builtins.list[ApiToken]:
        return [
            _copy(t)
            for _, t in sorted(self._db.api_tokens.items())
            if owner_id is None or t.owner_id == owner_id
        ]

    async def add(self, token: ApiToken) -> ApiToken:
        if token.owner_id not in self._db.administrators:
            raise FakeIntegrityError("api_tokens.owner_id")
        if await self.get_by_hash(token.token_hash) is not None:
            raise FakeIntegrityError("api_tokens.token_hash")
        token.id = self._db.next_id("api_tokens")
        self._db.api_tokens[token.id] = _copy(token)
        return token

    async def update(self, token: ApiToken) -> None:
        if token.id in self._db.api_tokens:
            self._db.api_tokens[token.id] = _copy(token)

    async def record_use(self, token_id: int, at: datetime) -> None:
        token = self._db.api_tokens.get(token_id)
        if token is not None:
            token.last_used_at = at

    async def revoke_all(self, owner_id: int, at: datetime) -> int:
        working = [
            t
            for t in self._db.api_tokens.values()
            if t.owner_id == owner_id and t.revoked_at is None
        ]
        for token in working:
            token.revoked_at = at
        return len(working)


class FakeSessionRepository(_Repository):
    async def get_by_hash(self, token_hash: str) -> SignInSession | None:
        for session in self._db.sessions.values():
            if session.token_hash == token_hash:
                return _copy(session)
        return None

    async def get_with_subject(
        self, token_hash: str
    ) -> tuple[SignInSession, Administrator | User | None] | None:
        session = await self.get_by_hash(token_hash)
        if session is None:
            return None
        subjects: Mapping[int, Administrator | User] = (
            self._db.users if session.subject is SessionSubject.USER else self._db.administrators
        )
        subject = subjects.get(session.subject_id)
        return session, None if subject is None else _copy(subject)

    async def add(self, session: SignInSession) -> SignInSession:
        subjects = (
            self._db.users if session.subject is SessionSubject.USER else self._db.administrators
        )
        if session.subject_id not in subjects:
            raise FakeIntegrityError("sign_in_sessions subject")
        if await self.get_by_hash(session.token_hash) is not None:
            raise FakeIntegrityError("sign_in_sessions.token_hash")
        session.id = self._db.next_id("sign_in_sessions")
        self._db.sessions[session.id] = _copy(session)
        return session

    async def delete_for(self, subject: SessionSubject, subject_id: int) -> int:
        return self._delete(lambda s: s.subject is subject and s.subject_id == subject_id)

    async def delete_for_all(self, subject: SessionSubject, subject_ids: Iterable[int]) -> int:
        wanted = set(subject_ids)
        return self._delete(lambda s: s.subject is subject and s.subject_id in wanted)

    async def delete_others(
        self, subject: SessionSubject, subject_id: int, keep_id: int | None
    ) -> int:
        return self._delete(
            lambda s: s.subject is subject and s.subject_id == subject_id and s.id != keep_id
        )

    async def delete_by_hash(self, token_hash: str) -> int:
        return self._delete(lambda s: s.token_hash == token_hash)

    async def delete_expired(self, now: datetime) -> int:
        return self._delete(lambda s: s.expires_at <= now)

    def _delete(self, doomed: object) -> int:
        assert callable(doomed)
        before = len(self._db.sessions)
        self._db.sessions = {i: s for i, s in self._db.sessions.items() if not doomed(s)}
        return before - len(self._db.sessions)


class FakeSignInAttemptRepository(_Repository):
    async def record_failure(self, key: str, client: str, at: datetime) -> None:
        self._db.sign_in_failures.append((self._db.next_id("sign_in_failures"), key, at, client))

    async def failures_since(self, key: str, since: datetime) -> list[SignInFailure]:
        found = sorted(
            (at, i, client) for i, k, at, client in self._db.sign_in_failures
            if k == key and at >= since
        )  # fmt: skip
        return [SignInFailure(at, client) for at, _, client in found]

    async def clear(self, key: str, client: str) -> None:
        self._db.sign_in_failures = [
            f for f in self._db.sign_in_failures if (f[1], f[3]) != (key, client)
        ]
        self._db.sign_in_lockouts.pop((key, client), None)

    async def lockout(self, key: str, client: str) -> SignInLockout | None:
        return self._db.sign_in_lockouts.get((key, client))

    async def put_lockout(self, lockout: SignInLockout) -> None:
        self._db.sign_in_lockouts[(lockout.key, lockout.client)] = lockout

    async def unlock(self, key: str) -> int:
        self._db.sign_in_failures = [f for f in self._db.sign_in_failures if f[1] != key]
        doomed = [pair for pair in self._db.sign_in_lockouts if pair[0] == key]
        for pair in doomed:
            del self._db.sign_in_lockouts[pair]
        return len(doomed)

    async def lockouts_of(self, keys: Sequence[str]) -> list[SignInLockout]:
        return [lockout for (key, _), lockout in self._db.sign_in_lockouts.items() if key in keys]

    async def unlock_many(self, keys: Sequence[str]) -> int:
        return sum([await self.unlock(key) for key in dict.fromkeys(keys)])

    async def purge_before(self, at: datetime, lockouts_ended_before: datetime) -> int:
        before = len(self._db.sign_in_failures)
        self._db.sign_in_failures = [f for f in self._db.sign_in_failures if f[2] >= at]
        self._db.sign_in_lockouts = {
            pair: lockout
            for pair, lockout in self._db.sign_in_lockouts.items()
            if lockout.until >= lockouts_ended_before
        }
        return before - len(self._db.sign_in_failures)


class FakeAuditRepository(_Repository):
    async def add(self, event: AuditEvent) -> AuditEvent:
        if event.target_user_id is not None and event.target_user_id not in self._db.users:
            raise FakeIntegrityError("audit_events.target_user_id")
        if event.location_id is not None and event.location_id not in self._db.locations:
            raise FakeIntegrityError("audit_events.location_id")
        event.id = self._db.next_id("audit_events")
        self._db.audit[event.id] = _copy(event)
        return event

    async def add_many(self, events: Sequence[AuditEvent]) -> None:
        for event in events:
            await self.add(event)

    async def page(
        self,
        query: AuditQuery,
        after_id: int | None,
        first: int,
        *,
        before_id: int | None = None,
        from_end: bool = False,
    ) -> Page[AuditEvent]:
        if first < 0:
            raise ValueError("first must not be negative")
        db = self._db

        def matches(event: AuditEvent) -> bool:
            if query.target_user_id is not None and event.target_user_id != query.target_user_id:
                return False
            if query.event_id is not None and event.id != query.event_id:
                return False
            if query.actions is not None and event.action not in query.actions:
                return False
            if query.actor is not None and event.actor != query.actor:
                return False
            if query.since is not None and event.at < query.since:
                return False
            if query.until is not None and event.at >= query.until:
                return False
            if query.location_ids is not None:
                if event.location_id in query.location_ids:
                    return True
                target = db.users.get(event.target_user_id or 0)
                return target is not None and target.location_id in query.location_ids
            return True

        matching = sorted((e for e in db.audit.values() if matches(e)), key=lambda e: -e.id)
        window = [
            _copy(e)
            for e in matching
            if (after_id is None or e.id < after_id) and (before_id is None or e.id > before_id)
        ]
        return _window(
            window, first, len(matching), after_id is not None, before_id is not None, from_end
        )

    async def reset_recorded(self, reset_id: str, location_ids: frozenset[int] | None) -> bool:
        query = AuditQuery(location_ids=location_ids)
        events = (await self.page(query, None, len(self._db.audit))).items
        return any(
            e.action == "USER_RESET" and e.details.get("reset_id") == reset_id for e in events
        )


class FakeEmailGatewayRepository(_Repository):
    async def get(self) -> EmailGateway | None:
        return _copy(self._db.email_gateway)

    async def save(self, gateway: EmailGateway) -> None:
        self._db.email_gateway = _copy(gateway)


class FakeMailTemplateRepository(_Repository):
    async def for_location(self, location_id: int) -> builtins.list[MailTemplate]:
        return await self.for_locations([location_id])

    async def for_locations(self, location_ids: Iterable[int]) -> builtins.list[MailTemplate]:
        wanted = set(location_ids)
        found = [t for key, t in self._db.mail_templates.items() if key[0] in wanted]
        return sorted(map(_copy, found), key=lambda t: (t.location_id, t.kind.name, t.language))

    async def get(self, location_id: int, kind: MailKind, language: str) -> MailTemplate | None:
        return _copy(self._db.mail_templates.get((location_id, kind, language)))

    async def save(self, template: MailTemplate) -> None:
        key = (template.location_id, template.kind, template.language)
        self._db.mail_templates[key] = _copy(template)

    async def delete(self, location_id: int, kind: MailKind, language: str) -> bool:
        return self._db.mail_templates.pop((location_id, kind, language), None) is not None


class FakeOutboxRepository(_Repository):
    """Like the SQL outbox: unique Message-ID, target user by foreign key, and
    ``claim_due`` picking due, pending, unclaimed messages oldest first."""

    def _check(self, mail: OutgoingMail) -> None:
        db = self._db
        if mail.target_user_id is not None and mail.target_user_id not in db.users:
            raise FakeIntegrityError("outbox.target_user_id")
        if any(m.message_id == mail.message_id and m.id != mail.id for m in db.outbox.values()):
            raise FakeIntegrityError("outbox.message_id")

    async def add(self, mail: OutgoingMail) -> OutgoingMail:
        mail.id = 0
        self._check(mail)
        mail.id = self._db.next_id("outbox")
        self._db.outbox[mail.id] = _copy(mail)
        return mail

    async def add_many(self, mails: Sequence[OutgoingMail]) -> None:
        for mail in mails:
            await self.add(mail)

    async def get(self, mail_id: int) -> OutgoingMail | None:
        return _copy(self._db.outbox.get(mail_id))

    async def latest_to(
        self, user_ids: Sequence[int], per_user: int
    ) -> dict[int, list[OutgoingMail]]:
        found: dict[int, list[OutgoingMail]] = {}
        for mail in sorted(self._db.outbox.values(), key=lambda m: -m.id):
            if mail.target_user_id in user_ids:
                mails = found.setdefault(mail.target_user_id, [])
                if len(mails) < per_user:
                    mails.append(replace(mail, secret_ciphertext=None, claim_token=None,
                                         claimed_until=None))  # fmt: skip
        return found

    async def update(self, mail: OutgoingMail) -> None:
        if mail.id not in self._db.outbox:
            return
        self._check(mail)
        self._db.outbox[mail.id] = _copy(mail)

    def _held(self, token: str, ids: Iterable[int]) -> builtins.list[OutgoingMail]:
        return [
            mail
            for mail in (self._db.outbox.get(i) for i in ids)
            if mail is not None and mail.claim_token == token and mail.status is MailStatus.PENDING
        ]

    async def renew_claim(self, token: str, ids: Iterable[int], claim_until: datetime) -> set[int]:
        held = self._held(token, ids)
        for mail in held:
            mail.claimed_until = claim_until
        return {mail.id for mail in held}

    async def record_attempt(self, mail: OutgoingMail, *, token: str) -> bool:
        if not self._held(token, [mail.id]):
            return False
        await self.update(mail)
        return True

    async def release_claim(self, token: str, ids: Iterable[int]) -> None:
        for mail in self._held(token, ids):
            mail.claimed_until = None
            mail.claim_token = None

    async def claim_due(
        self, now: datetime, claim_until: datetime, limit: int, *, token: str
    ) -> builtins.list[OutgoingMail]:
        if limit <= 0:
            return []
        due = sorted(
            (
                m
                for m in self._db.outbox.values()
                if m.status is MailStatus.PENDING
                and m.next_attempt_at <= now
                and (m.claimed_until is None or m.claimed_until < now)
            ),
            key=lambda m: (m.next_attempt_at, m.id),
        )
        claimed = []
        for mail in due[:limit]:
            mail.claimed_until = claim_until
            mail.claim_token = token
            claimed.append(_copy(mail))
        return claimed

    # ---- for assertions ----

    def all(self) -> builtins.list[OutgoingMail]:
        """Every message of the working copy, by id."""
        return [_copy(self._db.outbox[i]) for i in sorted(self._db.outbox)]


class FakeResetUndoRepository(_Repository):
    async def add_many(self, records: Sequence[ResetUndoRecord]) -> None:
        for record in records:
            if record.user_id not in self._db.users:
                raise FakeIntegrityError("reset_undo_records.user_id")
            stored = _copy(record)
            stored.id = self._db.next_id("reset_undo_records")
            self._db.reset_undo[stored.id] = stored

    async def users_of(self, reset_id: str) -> builtins.list[int]:
        return sorted({r.user_id for r in self._db.reset_undo.values() if r.reset_id == reset_id})

    async def for_users(
        self, reset_id: str, user_ids: Iterable[int], *, for_update: bool = False
    ) -> builtins.list[ResetUndoRecord]:
        wanted = set(user_ids)
        return [
            _copy(r)
            for _, r in sorted(self._db.reset_undo.items())
            if r.reset_id == reset_id and r.user_id in wanted
        ]

    async def mark_undone(self, record_ids: Iterable[int], at: datetime, by: str) -> None:
        for record_id in record_ids:
            record = self._db.reset_undo[record_id]
            record.undone_at, record.undone_by = at, by

    async def purge_expired(self, now: datetime) -> int:
        expired = [i for i, r in self._db.reset_undo.items() if r.expires_at <= now]
        for record_id in expired:
            del self._db.reset_undo[record_id]
        return len(expired)


class FakeUnitOfWork:
    """One transaction per ``async with``; not re-entrant, like the SQL one.

    ``data`` is the committed state (tests may arrange or inspect it
    directly), ``committed`` counts commits and ``rolled_back`` counts blocks
    left with uncommitted changes discarded.
    """

    def __init__(self, data: FakeStore | None = None) -> None:
        self.data = data or FakeStore()
        self._working: FakeStore | None = None
        self.committed = 0
        self.failing_commits = 0
        self.rolled_back = 0
        self.locations = FakeLocationRepository(self)
        self.groups = FakeConfigurationGroupRepository(self)
        self.users = FakeUserRepository(self)
        self.teams = FakeTeamRepository(self)
        self.relationships = FakeRelationshipRepository(self)
        self.contacts = FakeContactRepository(self)
        self.data_sources = FakeDirectoryDataSourceRepository(self)
        self.administrators = FakeAdministratorRepository(self)
        self.api_tokens = FakeApiTokenRepository(self)
        self.sessions = FakeSessionRepository(self)
        self.sign_in_attempts = FakeSignInAttemptRepository(self)
        self.audit = FakeAuditRepository(self)
        self.email_gateway = FakeEmailGatewayRepository(self)
        self.outbox = FakeOutboxRepository(self)
        self.reset_undo = FakeResetUndoRepository(self)
        self.mail_templates = FakeMailTemplateRepository(self)
        self.webhooks = FakeWebhookRepository(self)
        self.password_links = FakePasswordLinkRepository(self)
        self.reset_jobs = FakeResetJobRepository(self)

    @property
    def store(self) -> FakeStore:
        if self._working is None:
            raise RuntimeError("the unit of work is not entered")
        return self._working

    @property
    def active(self) -> bool:
        return self._working is not None

    async def __aenter__(self) -> Self:
        if self._working is not None:
            raise RuntimeError("this unit of work is already entered")
        self._working = copy.deepcopy(self.data)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        working, self._working = self._working, None
        if working is not None and working != self.data:
            self.rolled_back += 1

    async def commit(self) -> None:
        if self.failing_commits:
            self.failing_commits -= 1
            raise FakeStorageError("the database refused the commit")
        self.data = copy.deepcopy(self.store)
        self.committed += 1

    def fail_commits(self, count: int = 1) -> None:
        """The next ``count`` commits fail as a database would (nothing is stored)."""
        self.failing_commits += count

    def reading(self) -> FakeUnitOfWork:
        return FakeReadingUnitOfWork(self)

    # As SQLite: pages are read as entities.
    writes_documents = False

    @contextlib.asynccontextmanager
    async def snapshot(self) -> AsyncIterator[FakeUnitOfWork]:
        yield FakeReadingUnitOfWork(self)

    # ---- for assertions ----

    @property
    def audit_events(self) -> list[AuditEvent]:
        """Committed audit events, oldest first."""
        return [self.data.audit[i] for i in sorted(self.data.audit)]

    @property
    def outbox_mails(self) -> list[OutgoingMail]:
        """Committed outbox messages, by id."""
        return [self.data.outbox[i] for i in sorted(self.data.outbox)]


class FakeSharingUnitOfWork(FakeUnitOfWork):
    """Another process's unit of work on the same database: it sees what its parent
    committed, and its commits are the parent's committed state too."""

    def __init__(self, parent: FakeUnitOfWork) -> None:
        self._parent = parent
        super().__init__(parent.data)

    @property
    def data(self) -> FakeStore:
        return self._parent.data

    @data.setter
    def data(self, value: FakeStore) -> None:
        self._parent.data = value


class FakeReadingUnitOfWork(FakeUnitOfWork):
    """A unit of work for reading its parent's committed state; it cannot commit."""

    def __init__(self, parent: FakeUnitOfWork) -> None:
        super().__init__(parent.data)
        self._parent = parent

    async def __aenter__(self) -> Self:
        self.data = self._parent.data
        return await super().__aenter__()

    async def commit(self) -> None:
        raise RuntimeError("a unit of work for reading cannot commit")


class FakeClock:
    def __init__(self, start: datetime = START) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock runs on timezone-aware UTC")
        self.current = start.astimezone(UTC)

    def now(self) -> datetime:
        return self.current

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("the clock runs on timezone-aware UTC")
        self.current = at.astimezone(UTC)

    def advance(self, delta: timedelta | None = None, **units: float) -> datetime:
        self.current += (delta or timedelta()) + timedelta(**units)
        return self.current


class FakeHasher:
    """Deterministic and fast; ``hashed`` and ``verified`` count the calls.

    Argon2 costs ~20 ms, too long to run while a writing transaction holds its
    locks; the fake helps to tell:

    - ``watch(uow)``: every call made while that unit of work is entered (a
      writing transaction is open) is counted in ``during_writes``.
    - ``hold()``: calls wait at a gate until ``release()``; ``until_waiting(n)``
      returns once ``n`` calls wait there, so a test acts while hashes are "running"
      (and fails if they never get there, e.g. as they wait for a lock).
    """

    PREFIX = "fake$"

    def __init__(self) -> None:
        self.hashed = 0
        self.verified = 0
        self.during_writes = 0
        self.waiting = 0
        self._watched: FakeUnitOfWork | None = None
        self._gate = asyncio.Event()
        self._gate.set()
        self._arrived = asyncio.Condition()

    def watch(self, uow: FakeUnitOfWork) -> None:
        self._watched = uow

    def hold(self) -> None:
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    async def until_waiting(self, count: int, *, limit: float = 10.0) -> None:
        """Fails after ``limit`` seconds: the calls did not all reach the gate."""
        async with asyncio.timeout(limit), self._arrived:
            await self._arrived.wait_for(lambda: self.waiting >= count)

    async def _pass(self) -> None:
        if self._watched is not None and self._watched.active:
            self.during_writes += 1
        if self._gate.is_set():
            return
        self.waiting += 1
        async with self._arrived:
            self._arrived.notify_all()
        try:
            await self._gate.wait()
        finally:
            self.waiting -= 1

    async def hash(self, secret: str) -> str:
        await self._pass()
        self.hashed += 1
        return self.PREFIX + secret

    async def hash_in_turn(self, secret: str) -> str:
        return await self.hash(secret)

    async def verify(self, hashed: str | None, secret: str) -> bool:
        await self._pass()
        self.verified += 1
        return hashed is not None and hashed == self.PREFIX + secret


class FakeRandom:
    """Deterministic, yet what it makes is valid.

    ``choice`` walks each alphabet in steps of 17 from its first character
    (digits: 0, 7, 4, 1, 8, 5, 2, 9, 6, 3, …), so every character comes up,
    and digits drawn in a row never repeat, ascend or descend: the first
    voicemail PIN of six digits is "074185". ``shuffled`` reverses.
    """

    STEP = 17

    def __init__(self) -> None:
        self.issued = 0
        self._drawn: dict[str, int] = {}

    def token(self) -> str:
        self.issued += 1
        return f"random{self.issued:06d}"

    def choice(self, alphabet: str) -> str:
        if not alphabet:
            raise IndexError("cannot choose from an empty alphabet")
        n = self._drawn.get(alphabet, 0)
        self._drawn[alphabet] = n + 1
        return alphabet[n * self.STEP % len(alphabet)]

    def shuffled(self, items: builtins.list[str]) -> builtins.list[str]:
        return list(reversed(items))


class FakeSecretBox:
    """Reversible and visibly not plaintext: "enc:" and the text reversed.

    ``decrypt`` refuses anything it did not make, like authenticated encryption.
    """

    PREFIX = "enc:"

    def encrypt(self, plaintext: str) -> str:
        return self.PREFIX + plaintext[::-1]

    def decrypt(self, ciphertext: str) -> str:
        if not ciphertext.startswith(self.PREFIX):
            raise ValueError("not a ciphertext of this secret box")
        return ciphertext[len(self.PREFIX) :][::-1]


class FakeMailer:
    """Records what would be sent; answers by script, else SENT (250).

    ``connections`` counts the connections used (``connect()`` blocks in which a
    message was offered; ``send()`` is one); ``attempted`` holds every message
    offered, ``sent`` those that went out.
    ``fail_next`` scripts the answers for the next messages,
    ``fail_connections`` makes the next connections fail as a whole,
    ``crash_next`` makes the next message raise, ``before_send`` is awaited
    before each message goes out (a test acts in the middle of a batch there).
    """

    def __init__(self) -> None:
        self.sent: list[tuple[SmtpSettings, MailMessage]] = []
        self.attempted: list[tuple[SmtpSettings, MailMessage]] = []
        self.connections = 0
        self.before_send: Callable[[MailMessage], Awaitable[None]] | None = None
        self._answers: list[Delivery] = []
        self._failed_connections: list[str] = []
        self._crashes: list[Exception] = []

    def fail_next(
        self,
        outcome: DeliveryOutcome = DeliveryOutcome.RETRY,
        *,
        code: int | None = 451,
        count: int = 1,
        detail: str | None = None,
    ) -> None:
        """The next ``count`` messages get ``outcome`` (RETRY with 451 by default)."""
        text = detail if detail is not None else f"{code} fake answer"
        self._answers.extend(Delivery(outcome, code, text) for _ in range(count))

    def fail_connections(self, count: int = 1, detail: str = "connection refused") -> None:
        """The next ``count`` connections fail: every message of them gets RETRY."""
        self._failed_connections.extend([detail] * count)

    @property
    def messages(self) -> list[MailMessage]:
        """The messages sent, in order."""
        return [message for _, message in self.sent]

    def crash_next(self, error: Exception) -> None:
        """The next message raises ``error``, as a bug in an adapter would."""
        self._crashes.append(error)

    @contextlib.asynccontextmanager
    async def connect(self, smtp: SmtpSettings) -> AsyncIterator[FakeMailConnection]:
        yield FakeMailConnection(self, smtp)

    async def send(self, smtp: SmtpSettings, messages: Sequence[MailMessage]) -> list[Delivery]:
        async with self.connect(smtp) as connection:
            return [await connection.send(message) for message in messages]


class FakeMailConnection:
    def __init__(self, mailer: FakeMailer, smtp: SmtpSettings) -> None:
        self._mailer = mailer
        self._smtp = smtp
        self._opened = False
        self._failure: Delivery | None = None

    async def send(self, message: MailMessage) -> Delivery:
        mailer = self._mailer
        if not self._opened:
            self._opened = True
            mailer.connections += 1
            if mailer._failed_connections:
                detail = mailer._failed_connections.pop(0)
                self._failure = Delivery(DeliveryOutcome.RETRY, None, detail)
        if self._failure is not None:
            return self._failure
        if mailer._crashes:
            raise mailer._crashes.pop(0)
        if mailer.before_send is not None:
            await mailer.before_send(message)
        mailer.attempted.append((self._smtp, message))
        if mailer._answers:
            delivery = mailer._answers.pop(0)
        else:
            delivery = Delivery(DeliveryOutcome.SENT, 250, "250 OK queued")
        if delivery.outcome is DeliveryOutcome.SENT:
            mailer.sent.append((self._smtp, message))
        return delivery


@dataclass(frozen=True)
class FakeServices(Services):
    """``Services`` whose fakes keep their own types, for arranging and asserting."""

    uow: FakeUnitOfWork
    clock: FakeClock
    hasher: FakeHasher
    random: FakeRandom
    secrets: FakeSecretBox
    mailer: FakeMailer


def make_services(
    config: ServiceConfig | None = None, *, data: FakeStore | None = None
) -> FakeServices:
    uow = FakeUnitOfWork(data)
    hasher = FakeHasher()
    hasher.watch(uow)
    return FakeServices(
        uow=uow,
        clock=FakeClock(),
        hasher=hasher,
        random=FakeRandom(),
        secrets=FakeSecretBox(),
        mailer=FakeMailer(),
        templates=JinjaMailTemplates(),
        config=config or ServiceConfig(),
    )


def _conforms(uow: FakeUnitOfWork) -> UnitOfWork:
    return uow


def _conforms_hasher(hasher: FakeHasher) -> PasswordHasher:
    return hasher


def _conforms_random(random: FakeRandom) -> RandomSource:
    return random


def _conforms_secrets(box: FakeSecretBox) -> SecretBox:
    return box


def _conforms_mailer(mailer: FakeMailer) -> MailSender:
    return mailer


class MemoryProgressStore:
    """A ProgressStore in memory: brokers of one test share it as processes share the
    database (persistence/progress.py)."""

    def __init__(self) -> None:
        self._stored: dict[ProgressKey, StoredProgress] = {}

    def __len__(self) -> int:
        return len(self._stored)

    async def claim(
        self,
        key: ProgressKey,
        run_id: str,
        *,
        now: datetime,
        forget_before: datetime,
        max_unfinished: int,
    ) -> ProgressClaim:
        self._stored = {k: s for k, s in self._stored.items() if s.updated_at >= forget_before}
        existing = self._stored.get(key)
        if existing is not None and not _finished(existing):
            return ProgressClaim.IN_USE
        unfinished = sum(
            1 for (caller, _), s in self._stored.items() if caller == key[0] and not _finished(s)
        )
        if unfinished >= max_unfinished:
            return ProgressClaim.LIMIT_REACHED
        previous = None
        if existing is not None and existing.snapshot is not None:
            previous = FinishedRun(existing.run_id, existing.snapshot)
        self._stored[key] = StoredProgress(run_id, None, now, previous=previous)
        return ProgressClaim.CLAIMED

    async def save(
        self, key: ProgressKey, run_id: str, snapshot: ProgressSnapshot | None, now: datetime
    ) -> bool:
        existing = self._stored.get(key)
        if existing is None or existing.run_id != run_id or _finished(existing):
            return False
        if snapshot is None:
            snapshot = existing.snapshot
        self._stored[key] = StoredProgress(run_id=run_id, snapshot=snapshot, updated_at=now)
        return True

    async def load_many(self, keys: Iterable[ProgressKey]) -> dict[ProgressKey, StoredProgress]:
        return {key: self._stored[key] for key in keys if key in self._stored}


def _finished(stored: StoredProgress) -> bool:
    return stored.snapshot is not None and stored.snapshot.finished

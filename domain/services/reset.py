"""Reset users: the Reset user dialog of the Web Administration.

Users are reset in batches (``ServiceConfig.reset_batch_size``), a batch in one
transaction in which each step is one statement for all its users: locking
and reading them, their relationships and stale contacts, storing the new
states, queueing the mails, recording the audit events. If storing a batch
fails, its users are stored again one by one, each in a transaction of its
own, so one user's failure never touches another's outcome. Within a user, a
refused action changes nothing of that action and the other actions still run.

The password and voicemail PIN reach the user by e-mail only, so both are
refused while the user has no address or no E-Mail Gateway is configured;
the check comes before any change. The new password's mail is queued in the
user's transaction (transactional outbox), its secret encrypted.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace

from domain.errors import DomainError, Problem
from domain.model import (
    AuditEvent,
    Contact,
    EmailGateway,
    MailKind,
    OutgoingMail,
    RelationshipLevel,
    SessionSubject,
    User,
    VoicemailPinState,
)
from domain.ports import UnitOfWork
from domain.principals import AdminPrincipal, Principal, require_admin
from domain.rules import random_password
from domain.services import audit
from domain.services.deps import Deps
from domain.services.mail import check_mail_route, outgoing_mail

logger = logging.getLogger("connect_admin.domain.services.reset")

MAX_USERS_PER_RESET = 10_000

ProgressCallback = Callable[[int, int], Awaitable[None]]
"""The progress port: awaited with (done, total) as users are processed."""


class ResetOption(enum.Enum):
    """In the order of the contract's ResetAction, which results follow."""

    PASSWORD = "PASSWORD"
    VOICEMAIL_PIN = "VOICEMAIL_PIN"
    RELATIONSHIPS = "RELATIONSHIPS"
    CLIENT_SETTINGS = "CLIENT_SETTINGS"
    PRESENCE_SETTINGS = "PRESENCE_SETTINGS"
    CONTACT_LIST = "CONTACT_LIST"


class UserResetStatus(enum.Enum):
    SUCCEEDED = "SUCCEEDED"
    PARTIAL = "PARTIAL"
    FAILED = "FAILED"


@dataclass(frozen=True)
class ActionOutcome:
    option: ResetOption
    done: bool
    # Items removed, restored or replaced (with dry run: that would be).
    changes: int = 0
    problems: tuple[Problem, ...] = ()


@dataclass
class UserResetOutcome:
    """The result for one requested key; ``user`` None when not found."""

    key: str
    user: User | None
    actions: list[ActionOutcome] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def status(self) -> UserResetStatus:
        if self.problems or not self.actions:
            return UserResetStatus.FAILED
        done = sum(a.done for a in self.actions)
        if done == len(self.actions):
            return UserResetStatus.SUCCEEDED
        return UserResetStatus.PARTIAL if done else UserResetStatus.FAILED


USER_NOT_FOUND = Problem("USER_NOT_FOUND", "No such user.")
NOT_STORED = Problem("NOT_STORED", "The changes could not be stored; nothing was changed.")


def selected_options(
    *,
    password: bool = False,
    voicemail_pin: bool = False,
    relationships: bool = False,
    client_settings: bool = False,
    presence_settings: bool = False,
    contact_list: bool = False,
) -> list[ResetOption]:
    chosen = {
        ResetOption.PASSWORD: password,
        ResetOption.VOICEMAIL_PIN: voicemail_pin,
        ResetOption.RELATIONSHIPS: relationships,
        ResetOption.CLIENT_SETTINGS: client_settings,
        ResetOption.PRESENCE_SETTINGS: presence_settings,
        ResetOption.CONTACT_LIST: contact_list,
    }
    return [option for option in ResetOption if chosen[option]]


async def reset_users(
    deps: Deps,
    actor: Principal,
    requested: Sequence[tuple[str, int | None]],
    options: Sequence[ResetOption],
    *,
    dry_run: bool = False,
    on_progress: ProgressCallback | None = None,
) -> list[UserResetOutcome]:
    """Resets each distinct requested key once, in request order.

    ``requested`` pairs each key as the caller gave it with the user id it
    names (None for a key that names no user). Request problems (no option,
    too many users) raise ``DomainError`` before anything happens, and
    ``on_progress`` is not called then. Otherwise ``on_progress(done, total)``
    is awaited with (0, n) before the first user, and after each batch once
    its outcomes are final (stored or rolled back): (0, n), (100, n) ... (n, n).
    """
    admin = require_admin(actor)
    if not options:
        raise DomainError.of("NO_OPTION_SELECTED", "Select at least one option.", "options")
    distinct = list(dict.fromkeys(requested))
    if len(distinct) > MAX_USERS_PER_RESET:
        raise DomainError.of(
            "TOO_MANY_USERS", f"At most {MAX_USERS_PER_RESET} users per request.", "ids"
        )
    ordered = sorted(set(options), key=list(ResetOption).index)
    # Argon2 is the slow part of a password reset: the passwords of the next batch
    # are made and hashed (in threads, several at once) while this batch is stored;
    # no transaction waits for a hash.
    prepare = ResetOption.PASSWORD in ordered and not dry_run
    size = max(deps.config.reset_batch_size, 1)
    batches = [distinct[i : i + size] for i in range(0, len(distinct), size)]
    outcomes: list[UserResetOutcome] = []
    if on_progress is not None:
        await on_progress(0, len(distinct))
    upcoming = _prepare_soon(deps, admin, batches[0]) if prepare and batches else None
    try:
        for index, batch in enumerate(batches):
            prepared = await upcoming if upcoming is not None else {}
            upcoming = None
            if prepare and index + 1 < len(batches):
                upcoming = _prepare_soon(deps, admin, batches[index + 1])
            job = _Job(deps, actor, admin, ordered, dry_run, prepared)
            outcomes.extend(await job.reset(batch))
            # Once a batch, not once a user: a report may be a write of its own
            # (domain/services/progress.py keeps progress in the database).
            if on_progress is not None:
                await on_progress(len(outcomes), len(distinct))
    finally:
        if upcoming is not None:
            upcoming.cancel()
    return outcomes


PreparedPassword = tuple[str, str]
"""A random password and its hash, made before the user's transaction."""


def _prepare_soon(
    deps: Deps, admin: AdminPrincipal, batch: Sequence[tuple[str, int | None]]
) -> asyncio.Task[dict[int, PreparedPassword]]:
    return asyncio.create_task(_prepare_passwords(deps, admin, batch))


async def _prepare_passwords(
    deps: Deps, admin: AdminPrincipal, batch: Sequence[tuple[str, int | None]]
) -> dict[int, PreparedPassword]:
    """Passwords for the batch's users who may get one, hashed concurrently.

    Only an optimisation: a user without one here gets it in its transaction.
    """
    try:
        ids = [user_id for _, user_id in batch if user_id is not None]
        async with deps.uow.reading() as uow:
            users = await uow.users.get_many(ids)
            locations = await uow.locations.get_many({u.location_id for u in users.values()})
        passwords = {
            user.id: random_password(
                locations[user.location_id].password_policy,
                deps.random,
                deps.config.random_password_length,
            )
            for user in users.values()
            if user.email and admin.sees_location(user.location_id)
        }
        slots = asyncio.Semaphore(max(deps.config.password_hash_concurrency, 1))

        async def hashed(password: str) -> str:
            async with slots:
                return await deps.hasher.hash(password)

        hashes = await asyncio.gather(*(hashed(p) for p in passwords.values()))
    except Exception:
        logger.exception("passwords could not be prepared; they are made one by one")
        return {}
    return {
        user_id: (password, hashed)
        for (user_id, password), hashed in zip(passwords.items(), hashes, strict=True)
    }


@dataclass
class _Writes:
    """What a batch changes, stored afterwards one statement per kind."""

    users: list[User] = field(default_factory=list)
    relationship_owners: list[int] = field(default_factory=list)
    contact_ids: list[int] = field(default_factory=list)
    session_users: list[int] = field(default_factory=list)
    mails: list[OutgoingMail] = field(default_factory=list)
    events: list[AuditEvent] = field(default_factory=list)

    async def store(self, uow: UnitOfWork) -> None:
        await uow.users.update_many(self.users)
        await uow.relationships.remove_all_of(self.relationship_owners)
        await uow.contacts.remove(self.contact_ids)
        await uow.sessions.delete_for_all(SessionSubject.USER, self.session_users)
        await uow.outbox.add_many(self.mails)
        await uow.audit.add_many(self.events)


@dataclass
class _Job:
    """One batch of a reset: the request's options and the batch's prepared passwords."""

    deps: Deps
    actor: Principal
    admin: AdminPrincipal
    ordered: Sequence[ResetOption]
    dry_run: bool
    prepared: dict[int, PreparedPassword]

    async def reset(self, batch: Sequence[tuple[str, int | None]]) -> list[UserResetOutcome]:
        """The batch in one transaction; if storing it fails, each user in its own."""
        ids = [user_id for _, user_id in batch if user_id is not None]
        if len(ids) == len(set(ids)):
            outcomes = [UserResetOutcome(key=key, user=None) for key, _ in batch]
            try:
                await self._transaction(batch, outcomes)
                return outcomes
            except Exception:
                if len(batch) == 1:
                    logger.exception("reset of user %s failed", batch[0][1])
                    return [_not_stored(outcomes[0])]
                logger.warning("a batch of resets was not stored; storing its users one by one")
        # Two keys naming one user, or a failed batch: one transaction per key, so
        # that each sees what the one before changed, and a failure stays its own.
        return [outcome for item in batch for outcome in await self.reset([item])]

    async def _transaction(
        self, batch: Sequence[tuple[str, int | None]], outcomes: list[UserResetOutcome]
    ) -> None:
        deps, ordered = self.deps, self.ordered
        ids = [user_id for _, user_id in batch if user_id is not None]
        # A dry run stores nothing: it reads without taking the write lock.
        async with deps.uow.reading() if self.dry_run else deps.uow as uow:
            users = await uow.users.get_many(ids, for_update=not self.dry_run)
            gateway = (
                await uow.email_gateway.get()
                if {ResetOption.PASSWORD, ResetOption.VOICEMAIL_PIN} & set(ordered)
                else None
            )
            own = (
                await uow.relationships.own_for(ids) if ResetOption.RELATIONSHIPS in ordered else {}
            )
            stale: dict[int, list[Contact]] = {}
            if ResetOption.CONTACT_LIST in ordered:
                for contact in await uow.contacts.from_inactive_sources_of(ids):
                    stale.setdefault(contact.owner_id, []).append(contact)
            writes = _Writes()
            for (_, user_id), outcome in zip(batch, outcomes, strict=True):
                user = users.get(user_id) if user_id is not None else None
                if user is None or not self.admin.sees_location(user.location_id):
                    outcome.problems.append(USER_NOT_FOUND)
                    continue
                outcome.user = user
                for option in ordered:
                    # Each action sees what the previous ones changed (outcome.user).
                    outcome.actions.append(
                        await self._action(
                            uow, option, outcome, gateway, own.get(user.id, {}),
                            stale.get(user.id, []), writes,
                        )
                    )  # fmt: skip
                if outcome.user is not user:
                    writes.users.append(outcome.user)
                writes.events.append(
                    audit.event(
                        deps, self.actor, "USER_RESET", target_user_id=user.id,
                        scope_location_id=user.location_id,
                        options=[o.value for o in ordered],
                        status=outcome.status.value,
                        actions={a.option.value: _summary(a) for a in outcome.actions},
                    )
                )  # fmt: skip
            if not self.dry_run:
                await writes.store(uow)
                await uow.commit()

    async def _action(
        self,
        uow: UnitOfWork,
        option: ResetOption,
        outcome: UserResetOutcome,
        gateway: EmailGateway | None,
        own: dict[int, RelationshipLevel],
        stale: list[Contact],
        writes: _Writes,
    ) -> ActionOutcome:
        user = outcome.user
        assert user is not None
        dry_run = self.dry_run
        if option in (ResetOption.PASSWORD, ResetOption.VOICEMAIL_PIN):
            # No secret is made that cannot reach its user: checked before any change.
            try:
                route = check_mail_route(user, gateway)
            except DomainError as refused:
                return ActionOutcome(option, done=False, problems=tuple(refused.problems))
            if not dry_run:
                if option is ResetOption.PASSWORD:
                    outcome.user = await self._random_password(uow, user, route, writes)
                else:
                    outcome.user = _awaiting_pin_delivery(user)
            return ActionOutcome(option, done=True, changes=1)
        if option is ResetOption.RELATIONSHIPS:
            removed = len(own)
            if removed and not dry_run:
                writes.relationship_owners.append(user.id)
            if user.is_vip and removed:
                outcome.warnings.append(
                    Problem(
                        "VIP_RELATIONSHIPS_DELETED",
                        f"{user.login} is a VIP and has no default relationships: all "
                        f"{removed} relationships are gone; the VIP maintains them anew.",
                    )
                )
            return ActionOutcome(option, done=True, changes=removed)
        if option is ResetOption.CLIENT_SETTINGS:
            changes = len(user.client_settings)
            if changes and not dry_run:
                outcome.user = replace(user, client_settings={})
            return ActionOutcome(option, done=True, changes=changes)
        if option is ResetOption.PRESENCE_SETTINGS:
            changes = len(user.presence_settings)
            if changes and not dry_run:
                outcome.user = replace(user, presence_settings={})
            return ActionOutcome(option, done=True, changes=changes)
        if stale:
            if not dry_run:
                writes.contact_ids.extend(c.id for c in stale)
            outcome.warnings.append(
                Problem(
                    "CONTACTS_REMOVED",
                    f"{len(stale)} contacts of deactivated directory data sources "
                    f"{'would be' if dry_run else 'were'} removed from the contact list.",
                )
            )
        return ActionOutcome(option, done=True, changes=len(stale))

    async def _random_password(
        self, uow: UnitOfWork, user: User, gateway: EmailGateway, writes: _Writes
    ) -> User:
        """A new random password, to be changed at the next sign-in; the old sessions end."""
        deps, config = self.deps, self.deps.config
        prepared = self.prepared.get(user.id)
        if prepared is not None:
            password, hashed = prepared
        else:
            location = await uow.locations.get(user.location_id)
            assert location is not None
            password = random_password(
                location.password_policy, deps.random, config.random_password_length
            )
            hashed = await deps.hasher.hash(password)
        updated = replace(
            user,
            password_hash=hashed,
            password_change_required=True,
            temporary_password_expires_at=deps.clock.now() + config.temporary_password_ttl,
        )
        writes.session_users.append(user.id)
        writes.mails.append(
            outgoing_mail(
                deps, gateway, MailKind.PASSWORD, updated, secret=password,
                expires_hours=int(config.temporary_password_ttl.total_seconds() // 3600),
            )
        )  # fmt: skip
        return updated


def _not_stored(outcome: UserResetOutcome) -> UserResetOutcome:
    # A failure while storing rolls back this user's changes only.
    outcome.actions = []
    outcome.warnings = []
    outcome.problems = [NOT_STORED]
    return outcome


def _summary(action: ActionOutcome) -> dict[str, object]:
    return {
        "done": action.done,
        "changes": action.changes,
        "errors": [p.code for p in action.problems],
    }


def _awaiting_pin_delivery(user: User) -> User:
    """The old PIN stops working; a new one is made at the first remote access."""
    return replace(
        user,
        voicemail_pin_hash=None,
        voicemail_pin_state=VoicemailPinState.PENDING_DELIVERY,
        pin_failed_attempts=0,
        pin_locked_until=None,
    )

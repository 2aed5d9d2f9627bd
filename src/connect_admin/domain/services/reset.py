"""Reset users: the Reset user dialog of the Web Administration.

Each distinct requested user is handled on its own, in request order, in a
transaction of its own: one user's failure never touches another's outcome.
Within a user, a refused action changes nothing of that action and the
other actions still run.

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

from connect_admin.domain.errors import DomainError, Problem
from connect_admin.domain.model import (
    EmailGateway,
    MailKind,
    SessionSubject,
    User,
    VoicemailPinState,
)
from connect_admin.domain.ports import UnitOfWork
from connect_admin.domain.principals import AdminPrincipal, Principal, require_admin
from connect_admin.domain.rules import random_password
from connect_admin.domain.services import audit
from connect_admin.domain.services.deps import Deps
from connect_admin.domain.services.mail import queue_mail, require_mail_route

logger = logging.getLogger(__name__)

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
    is awaited after each distinct key's outcome is final (stored or rolled
    back): (1, n), (2, n) ... (n, n), in order.
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
    # are made and hashed (in threads, several at once) while this batch's users
    # are stored one by one; no transaction waits for a hash.
    prepare = ResetOption.PASSWORD in ordered and not dry_run
    size = max(deps.config.password_hash_batch, 1)
    batches = [distinct[i : i + size] for i in range(0, len(distinct), size)]
    outcomes: list[UserResetOutcome] = []
    upcoming = _prepare_soon(deps, admin, batches[0]) if prepare and batches else None
    try:
        for index, batch in enumerate(batches):
            prepared = await upcoming if upcoming is not None else {}
            upcoming = None
            if prepare and index + 1 < len(batches):
                upcoming = _prepare_soon(deps, admin, batches[index + 1])
            for key, user_id in batch:
                outcomes.append(
                    await _reset_one(
                        deps, actor, admin, key, user_id, ordered, dry_run,
                        prepared.get(user_id) if user_id is not None else None,
                    )
                )  # fmt: skip
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


async def _reset_one(
    deps: Deps,
    actor: Principal,
    admin: AdminPrincipal,
    key: str,
    user_id: int | None,
    ordered: Sequence[ResetOption],
    dry_run: bool,
    prepared: PreparedPassword | None = None,
) -> UserResetOutcome:
    """One requested key, in a transaction of its own."""
    outcome = UserResetOutcome(key=key, user=None)
    try:
        async with deps.uow as uow:
            user = await uow.users.get(user_id, for_update=True) if user_id is not None else None
            if user is None or not admin.sees_location(user.location_id):
                outcome.problems.append(USER_NOT_FOUND)
                return outcome
            outcome.user = user
            for option in ordered:
                # Each action sees what the previous ones changed (outcome.user).
                outcome.actions.append(
                    await _run(deps, uow, outcome.user, option, outcome, dry_run, prepared)
                )
            if not dry_run:
                await audit.record(
                    deps, actor, "USER_RESET", target_user_id=user.id,
                    scope_location_id=user.location_id,
                    options=[o.value for o in ordered],
                    status=outcome.status.value,
                    actions={a.option.value: _summary(a) for a in outcome.actions},
                )  # fmt: skip
                await uow.commit()
    except Exception:
        # A failure while storing rolls back this user's changes only.
        logger.exception("reset of user %s failed", user_id)
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


async def _run(
    deps: Deps,
    uow: UnitOfWork,
    user: User,
    option: ResetOption,
    outcome: UserResetOutcome,
    dry_run: bool,
    prepared: PreparedPassword | None = None,
) -> ActionOutcome:
    if option in (ResetOption.PASSWORD, ResetOption.VOICEMAIL_PIN):
        # No secret is made that cannot reach its user: checked before any change.
        try:
            gateway = await require_mail_route(uow, user)
        except DomainError as refused:
            return ActionOutcome(option, done=False, problems=tuple(refused.problems))
        if not dry_run:
            if option is ResetOption.PASSWORD:
                outcome.user = await _set_random_password(deps, uow, user, gateway, prepared)
            else:
                outcome.user = await _await_pin_delivery(uow, user)
        return ActionOutcome(option, done=True, changes=1)
    if option is ResetOption.RELATIONSHIPS:
        own = (await uow.relationships.own_for([user.id])).get(user.id, {})
        removed = len(own) if dry_run else await uow.relationships.remove_all(user.id)
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
            user = replace(user, client_settings={})
            await uow.users.update(user)
        outcome.user = user
        return ActionOutcome(option, done=True, changes=changes)
    if option is ResetOption.PRESENCE_SETTINGS:
        changes = len(user.presence_settings)
        if changes and not dry_run:
            user = replace(user, presence_settings={})
            await uow.users.update(user)
        outcome.user = user
        return ActionOutcome(option, done=True, changes=changes)
    stale = await uow.contacts.from_inactive_sources(user.id)
    if stale and not dry_run:
        await uow.contacts.remove([c.id for c in stale])
    if stale:
        outcome.warnings.append(
            Problem(
                "CONTACTS_REMOVED",
                f"{len(stale)} contacts of deactivated directory data sources "
                f"{'would be' if dry_run else 'were'} removed from the contact list.",
            )
        )
    return ActionOutcome(option, done=True, changes=len(stale))


async def _set_random_password(
    deps: Deps,
    uow: UnitOfWork,
    user: User,
    gateway: EmailGateway,
    prepared: PreparedPassword | None,
) -> User:
    """A new random password, to be changed at the next sign-in; the old sessions end."""
    config = deps.config
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
    await uow.users.update(updated)
    await uow.sessions.delete_for(SessionSubject.USER, user.id)
    await queue_mail(
        deps, uow, gateway, MailKind.PASSWORD, updated, secret=password,
        expires_hours=int(config.temporary_password_ttl.total_seconds() // 3600),
    )  # fmt: skip
    return updated


async def _await_pin_delivery(uow: UnitOfWork, user: User) -> User:
    """The old PIN stops working; a new one is made at the first remote access."""
    updated = replace(
        user,
        voicemail_pin_hash=None,
        voicemail_pin_state=VoicemailPinState.PENDING_DELIVERY,
        pin_failed_attempts=0,
        pin_locked_until=None,
    )
    await uow.users.update(updated)
    return updated

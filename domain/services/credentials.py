"""Passwords set by an administrator, and the voicemail PIN.

The voicemail server calls with an API token of an administrator whose
locations hold the user. A PIN pending delivery is made at the first remote
access and e-mailed through the outbox; only its hash is kept.

No transaction is open while argon2 runs (~20 ms): on SQLite a writing
transaction holds the database's write lock, on PostgreSQL the user's row. A
service reads, hashes or checks, and then stores in a short transaction that
reads the row again and stores only if it still is as judged.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

from domain import visibility
from domain.error_codes import ErrorCode
from domain.errors import DomainError, Forbidden, not_found
from domain.model import MailKind, SessionSubject, User, VoicemailPinState
from domain.ports import Clock, PasswordHasher, RandomSource, SecretBox, UnitOfWork
from domain.principals import AdminPrincipal, Principal, require_admin
from domain.rules import is_trivial_pin, random_pin
from domain.services.audit import AuditTrail
from domain.services.config import ServiceConfig
from domain.services.mail import require_mail_route
from domain.services.outbox import queue_mail
from domain.services.validation import (
    MAX_LOGIN_LENGTH,
    MAX_PIN_LENGTH,
    Problems,
    text_problem,
)


class VoicemailAccessOutcome(enum.Enum):
    PIN_REQUIRED = "PIN_REQUIRED"
    PIN_SENT_BY_EMAIL = "PIN_SENT_BY_EMAIL"
    NO_PIN = "NO_PIN"


async def _user_to_set(
    uow: UnitOfWork, admin: AdminPrincipal, user_id: int, password: str, *, for_update: bool = False
) -> User:
    """The user, when in scope and the password fits its location's policy."""
    user = await uow.users.get(user_id, for_update=for_update)
    if user is None or not visibility.sees_location(admin, user.location_id):
        raise not_found(ErrorCode.USER_NOT_FOUND, "userId")
    location = await uow.locations.get(user.location_id)
    assert location is not None
    problems = Problems()
    problems.password(location.password_policy, password, "password", login=user.login)
    problems.raise_if_any()
    return user


def _voicemail_server(actor: Principal) -> AdminPrincipal:
    admin = require_admin(actor)
    if not admin.via_api_token:
        raise Forbidden("the voicemail server calls with an API token")
    return admin


async def _user_by_login(
    uow: UnitOfWork, admin: AdminPrincipal, login: str, *, for_update: bool = False
) -> User:
    login = login.strip()
    if text_problem(login, MAX_LOGIN_LENGTH) is not None:
        raise not_found(ErrorCode.USER_NOT_FOUND, "login")  # no user has such a login
    user = await uow.users.get_by_login(login, for_update=for_update)
    if user is None or not visibility.sees_location(admin, user.location_id):
        raise not_found(ErrorCode.USER_NOT_FOUND, "login")
    return user


def _settled_outcome(user: User) -> VoicemailAccessOutcome | None:
    """The outcome for a user whose PIN is not pending delivery; None while it is."""
    if user.voicemail_pin_state is VoicemailPinState.SET:
        return VoicemailAccessOutcome.PIN_REQUIRED
    if user.voicemail_pin_state is VoicemailPinState.NOT_SET:
        return VoicemailAccessOutcome.NO_PIN
    return None


# How often a PIN is judged, hashed or checked outside any transaction, and
# stored only if the user is still as judged. Twice is plenty: the user would
# have to change again within the second hash.
TRIES = 2


PIN_LOCKED = DomainError.of(ErrorCode.PIN_LOCKED, "Too many wrong PINs; try again later.")
INVALID_PIN = DomainError.of(ErrorCode.INVALID_PIN, "Wrong PIN.", "pin")


def _pin_locked(user: User, now: datetime) -> bool:
    return user.pin_locked_until is not None and now < user.pin_locked_until


@dataclass(frozen=True)
class Credentials:
    """Passwords set by administrators, and voicemail PINs."""

    uow: UnitOfWork
    clock: Clock
    audit: AuditTrail
    hasher: PasswordHasher
    random: RandomSource
    secrets: SecretBox
    config: ServiceConfig

    async def set_user_password(self, actor: Principal, user_id: int, password: str) -> None:
        """User details > Password: checked against the policy; to be changed at next sign-in.

        The password is hashed between checking and storing, so no transaction waits
        for argon2; storing checks again, against the user as it is then.
        """
        admin = require_admin(actor)
        async with self.uow.reading() as uow:
            await _user_to_set(uow, admin, user_id, password)
        password_hash = await self.hasher.hash(password)
        async with self.uow as uow:
            user = await _user_to_set(uow, admin, user_id, password, for_update=True)
            await uow.users.update(
                replace(
                    user,
                    password_hash=password_hash,
                    password_change_required=True,
                    temporary_password_expires_at=None,
                )
            )
            await uow.sessions.delete_for(SessionSubject.USER, user.id)
            await self.audit.record_about_and_commit(uow, actor, "PASSWORD_SET", user)

    async def voicemail_remote_access(self, actor: Principal, login: str) -> VoicemailAccessOutcome:
        """A PIN pending delivery is made, stored and mailed; otherwise a read answers.

        Two calls at once may both make a PIN, but only the first to store it
        stores and mails it; the second answers as the first left the user.
        """
        admin = _voicemail_server(actor)
        for _ in range(TRIES):
            async with self.uow.reading() as uow:
                user = await _user_by_login(uow, admin, login)
                settled = _settled_outcome(user)
                if settled is not None:
                    return settled
                await require_mail_route(uow, user)
            pin = random_pin(self.config.voicemail_pin_length, user.work_phone, self.random)
            pin_hash = await self.hasher.hash(pin)
            outcome = await self._deliver_pin(actor, user.id, pin, pin_hash)
            if outcome is not None:
                return outcome
        raise RuntimeError("the user's work phone kept changing while a PIN was made")

    async def _deliver_pin(
        self, actor: Principal, user_id: int, pin: str, pin_hash: str
    ) -> VoicemailAccessOutcome | None:
        """Stores and mails the PIN if it is still pending delivery.

        None: the PIN would be trivial for the work phone as it is now (changed
        meanwhile), so another one has to be made.
        """
        async with self.uow as uow:
            user = await uow.users.get(user_id, for_update=True)
            if user is None:
                raise not_found(ErrorCode.USER_NOT_FOUND, "login")
            settled = _settled_outcome(user)
            if settled is not None:
                return settled  # another call delivered a PIN meanwhile, or a reset took it
            if is_trivial_pin(pin, user.work_phone):
                return None
            gateway = await require_mail_route(uow, user)
            updated = replace(
                user,
                voicemail_pin_hash=pin_hash,
                voicemail_pin_state=VoicemailPinState.SET,
                pin_failed_attempts=0,
                pin_locked_until=None,
            )
            await uow.users.update(updated)
            await queue_mail(
                self.clock, self.secrets, uow, gateway, MailKind.VOICEMAIL_PIN, updated, secret=pin
            )
            await self.audit.record_about_and_commit(uow, actor, "VOICEMAIL_PIN_SENT", user)
        return VoicemailAccessOutcome.PIN_SENT_BY_EMAIL

    async def verify_voicemail_pin(self, actor: Principal, login: str, pin: str) -> None:
        """Raises INVALID_PIN or PIN_LOCKED; repeated failures lock the PIN for a while.

        A check first claims a try: it counts as a failure until the PIN proves
        right. Then the PIN is checked, outside any transaction, and the try is
        settled. Counting before checking means a burst of parallel guesses gets no
        more tries than guesses one after another: once ``pin_max_failures`` tries
        are claimed, further ones are refused until a right PIN clears the count.
        """
        admin = _voicemail_server(actor)
        problems = Problems()
        problems.text(pin, MAX_PIN_LENGTH, "pin")
        problems.raise_if_any()
        for _ in range(TRIES):
            claimed = await self._claim_pin_try(actor, admin, login)
            right = await self.hasher.verify(claimed.voicemail_pin_hash, pin)
            if await self._settle_pin_try(actor, claimed, right=right):
                if right:
                    return
                raise INVALID_PIN
        # The PIN changed under both checks: the guess matched no PIN that still holds.
        raise INVALID_PIN

    async def _claim_pin_try(self, actor: Principal, admin: AdminPrincipal, login: str) -> User:
        """The user with this try counted; refused while locked or out of tries."""
        now = self.clock.now()
        async with self.uow as uow:
            user = await _user_by_login(uow, admin, login, for_update=True)
            if _pin_locked(user, now):
                raise PIN_LOCKED
            if user.voicemail_pin_state is not VoicemailPinState.SET:
                raise DomainError.of(ErrorCode.NO_PIN, "The user has no voicemail PIN.")
            if user.pin_failed_attempts >= self.config.pin_max_failures:
                # The tries are used up (some may be checking still): lock now, so a
                # count that was never settled (a crash) cannot lock it for good.
                await self._lock_pin(actor, uow, user, now)
                await uow.commit()
                raise PIN_LOCKED
            claimed = replace(user, pin_failed_attempts=user.pin_failed_attempts + 1)
            await uow.users.update(claimed)
            await uow.commit()
        return claimed

    async def _settle_pin_try(self, actor: Principal, claimed: User, *, right: bool) -> bool:
        """A right PIN clears the count, and a lock that parallel wrong tries set
        meanwhile (counting this one as a failure); a wrong PIN locks it when the
        tries are used up.

        False when the PIN was changed or taken meanwhile: the check judged another PIN.
        """
        now = self.clock.now()
        async with self.uow as uow:
            user = await uow.users.get(claimed.id, for_update=True)
            if user is None or user.voicemail_pin_hash != claimed.voicemail_pin_hash:
                return False
            if right:
                if user.pin_failed_attempts or user.pin_locked_until is not None:
                    await uow.users.update(
                        replace(user, pin_failed_attempts=0, pin_locked_until=None)
                    )
                    await uow.commit()
                return True
            if (
                not _pin_locked(user, now)
                and user.pin_failed_attempts >= self.config.pin_max_failures
            ):
                await self._lock_pin(actor, uow, user, now)
                await uow.commit()
        return True

    async def _lock_pin(self, actor: Principal, uow: UnitOfWork, user: User, now: datetime) -> None:
        await uow.users.update(
            replace(user, pin_failed_attempts=0, pin_locked_until=now + self.config.pin_lockout)
        )
        await self.audit.record_about(uow, actor, "VOICEMAIL_PIN_LOCKED", user)

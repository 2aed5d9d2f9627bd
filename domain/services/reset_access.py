"""The reset's access actions, which make no secret and mail nothing: ``unlock`` and
``expirePassword``. Neither is undoable (nothing is kept), and both run for a
blocked user too: the block keeps the user out on its own; ending a lockout or
asking for a new password gives a blocked user nothing, and spares it a stale
lockout once it is unblocked.

- ``unlock`` ends every sign-in lockout of the user's login (of every client
  address) and forgets its failed sign-ins, and ends the voicemail PIN lockout
  (``pin_failed_attempts`` 0, ``pin_locked_until`` cleared). ``changes``: the
  lockouts in force that ended (sign-in lockouts, one per client address, plus
  1 for a locked PIN); 0 when nothing was locked.
- ``expirePassword`` requires a password change at the next sign-in; the
  password stays and still signs in, so nothing is mailed. A pending
  ``temporary_password_expires_at`` stays as it was: cleared, a temporary
  password would live on; set, the user's own password would stop working
  without the user ever being told. The user's sessions end, so the change is
  asked at once and a session opened with a possibly known password ends (as
  ``setRandomPassword`` ends them). ``changes``: 1, or 0 when a change was
  already required (the sessions end all the same).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from domain.model import SessionSubject, SignInLockout, User
from domain.ports import Clock, UnitOfWork
from domain.services.reset_outcomes import ActionOutcome, ResetOption, UserResetOutcome

__all__ = ["AccessActions", "sign_in_key", "sign_in_lockouts_of"]


def sign_in_key(user: User) -> str:
    """The user's key in the sign-in lockouts (domain/services/lockout.py)."""
    return f"{SessionSubject.USER.value}:{user.login.lower()}"


async def sign_in_lockouts_of(
    uow: UnitOfWork, users: Sequence[User]
) -> Mapping[int, list[SignInLockout]]:
    """Each user's sign-in lockouts (every client address), read once for a batch."""
    by_key = {sign_in_key(user): user.id for user in users}
    found: dict[int, list[SignInLockout]] = {}
    for lockout in await uow.sign_in_attempts.lockouts_of(list(by_key)):
        found.setdefault(by_key[lockout.key], []).append(lockout)
    return found


@dataclass(frozen=True)
class AccessActions:
    """``unlock`` and ``expirePassword`` of one user; see the module's doc."""

    clock: Clock

    def unlock(
        self,
        outcome: UserResetOutcome,
        lockouts: Sequence[SignInLockout],
        unlocked_keys: list[str],
        *,
        dry_run: bool,
    ) -> ActionOutcome:
        user = outcome.user
        assert user is not None
        now = self.clock.now()
        ended = sum(now < lockout.until for lockout in lockouts)
        pin_locked = user.pin_locked_until is not None and now < user.pin_locked_until
        if not dry_run:
            unlocked_keys.append(sign_in_key(user))
            if user.pin_failed_attempts or user.pin_locked_until is not None:
                outcome.user = replace(user, pin_failed_attempts=0, pin_locked_until=None)
        return ActionOutcome(ResetOption.UNLOCK, done=True, changes=ended + pin_locked)

    def expire_password(
        self, outcome: UserResetOutcome, session_users: list[int], *, dry_run: bool
    ) -> ActionOutcome:
        user = outcome.user
        assert user is not None
        changes = 0 if user.password_change_required else 1
        if not dry_run:
            session_users.append(user.id)
            if changes:
                outcome.user = replace(user, password_change_required=True)
        return ActionOutcome(ResetOption.EXPIRE_PASSWORD, done=True, changes=changes)

"""Sign-in lockouts that no stranger can turn against an account.

Failed sign-ins count per login *and* client address: ``sign_in_max_failures``
within ``sign_in_window`` from one address lock that login for that address
alone, first for ``sign_in_lockout``, then twice as long at each lockout in a
row (up to ``sign_in_lockout_max``); the right password from another address
still signs in. Beyond ``sign_in_login_ceiling`` failures of a login within the
window, from all addresses together, every attempt of that login waits
``sign_in_slowdown`` before its verdict: guessing from many addresses slows
down, and the owner still gets in. A lockout is audited (SIGN_IN_LOCKED) and
counted in /metrics; ``connect-admin unlock LOGIN`` lifts it, and so does the
reset's unlock action for a user (domain/services/reset_access.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.error_codes import ErrorCode
from domain.errors import DomainError
from domain.model import SignInFailure, SignInLockout
from domain.ports import UnitOfWork
from domain.principals import Anonymous
from domain.services.audit import AuditTrail
from domain.services.config import ServiceConfig

# The longest client address kept (an IPv6 address with its zone).
MAX_CLIENT_LENGTH = 64


def too_many_attempts(wait: timedelta) -> DomainError:
    minutes = max(1, -(-int(wait.total_seconds()) // 60))
    return DomainError.of(
        ErrorCode.TOO_MANY_ATTEMPTS,
        f"Too many failed sign-ins from this address; try again in {minutes} minutes.",
    )


def lockout_length(config: ServiceConfig, level: int) -> timedelta:
    """The ``level``-th lockout in a row: the first as configured, each next twice as long."""
    length: timedelta = config.sign_in_lockout * (2 ** min(level - 1, 20))
    return min(length, config.sign_in_lockout_max)


@dataclass(frozen=True)
class SignInThrottle:
    """The lockout policy of the module's doc, for one attempt: of the login ``key``
    from ``client`` at ``now``, with the window's ``failures`` (without this attempt)
    and the last ``lockout`` of the login for this client."""

    config: ServiceConfig
    audit: AuditTrail
    pause: Callable[[float], Awaitable[None]]
    uow: UnitOfWork
    key: str
    client: str
    now: datetime
    failures: list[SignInFailure]
    lockout: SignInLockout | None

    async def check(self) -> None:
        """Before the password is checked: refuses (TOO_MANY_ATTEMPTS) while the login is
        locked for this client, or when this client's failures already reached the
        limit (a burst of parallel guesses); slows the attempt down past the login's
        ceiling."""
        if self.lockout is not None and self.now < self.lockout.until:
            raise too_many_attempts(self.lockout.until - self.now)
        if len(self._mine()) >= self.config.sign_in_max_failures:
            until = await self._lock()
            raise too_many_attempts(until - self.now)
        if len(self.failures) >= self.config.sign_in_login_ceiling:
            await self.pause(self.config.sign_in_slowdown.total_seconds())

    async def failed(self) -> None:
        """After a wrong password: the failure that reaches the limit locks the login for
        this client from now on."""
        if len(self._mine()) + 1 >= self.config.sign_in_max_failures:
            await self._lock()

    def _mine(self) -> list[SignInFailure]:
        """This client's failures since its last lockout ended."""
        since = self.lockout.until if self.lockout is not None else None
        return [
            f for f in self.failures if f.client == self.client and (since is None or f.at > since)
        ]

    async def _lock(self) -> datetime:
        config, lockout, now, key = self.config, self.lockout, self.now, self.key
        # A lockout in a row when the last one ended within the longest lockout.
        in_a_row = lockout is not None and now - lockout.until < config.sign_in_lockout_max
        level = lockout.level + 1 if lockout is not None and in_a_row else 1
        until = now + lockout_length(config, level)
        async with self.uow as uow:
            await uow.sign_in_attempts.put_lockout(
                SignInLockout(key=key, client=self.client, level=level, locked_at=now, until=until)
            )
            subject, _, login = key.partition(":")
            await self.audit.record_and_commit(
                uow,
                Anonymous(),
                "SIGN_IN_LOCKED",
                login=login,
                account_kind=subject,
                client=self.client,
                lockout_level=level,
                locked_until=until.isoformat(),
            )
        return until

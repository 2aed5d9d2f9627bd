"""The new passwords of a reset, made and hashed ahead of the batches' transactions.

Argon2 is the slow part of a password reset: its hashes must keep every core busy
from the first user to the last, and everything else must happen meanwhile; and
no transaction may wait for one, as it holds its users' row locks (on SQLite the
database's write lock). So the hashing does not go batch by batch, and it reads
no users: a batch's transaction reads them once, and checks them. A reader makes
the passwords of batch after batch, as many per policy of the administrator's
locations (one read of the locations) as the batch's users are likely to take,
and queues them all with ``PasswordHasher.hash_in_turn``, whose threads (one per
core) take them one after the other without waiting for the event loop. While a
batch's hashes run, the next batch's are queued behind them; while a batch is
stored, the cores go on with the next one. The reader queues at most two batches,
so no more plaintext passwords wait than that.

With one policy, a batch gets one password per user. With several, each policy
gets its share of what the batches before took (before any took one: its share of
the locations), rounded up; what a batch leaves goes to the batch two after it. A
batch whose users are short of passwords all the same ends its transaction before
storing anything, hashes those and runs again (``PreparedPasswords``): a read of
its users more, cheaper than hashing more passwords than it takes.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.model import PasswordPolicy
from domain.ports import PasswordHasher, RandomSource, UnitOfWork
from domain.principals import AdminPrincipal
from domain.rules import random_password
from domain.services.config import ServiceConfig
from domain.services.reset_actions import NewPassword, PreparedPassword, PreparedPasswords

# Kept under the reset's name: operators' log filters know it.
logger = logging.getLogger("connect_admin.domain.services.reset")

# Each policy's new passwords and their hashes to come.
_Pending = dict[PasswordPolicy, list[tuple[str, "asyncio.Future[str]"]]]
_Ready = dict[PasswordPolicy, list[PreparedPassword]]


@dataclass
class PasswordPipeline:
    """Passwords for the batches of ``sizes`` users: ``start()``, then for each batch
    ``passwords(i)`` and, once it is stored, ``done(i, ...)``."""

    uow: UnitOfWork
    hasher: PasswordHasher
    random: RandomSource
    config: ServiceConfig
    admin: AdminPrincipal
    # Each batch's number of users (of keys that name one).
    sizes: Sequence[int]
    new_password: NewPassword
    _made: list[asyncio.Future[_Pending]] = field(default_factory=list)
    _left: list[asyncio.Future[_Ready]] = field(default_factory=list)
    # What the batches stored so far took, of each policy.
    _taken: Counter[PasswordPolicy] = field(default_factory=Counter)
    _reader: asyncio.Task[None] | None = None

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._made = [loop.create_future() for _ in self.sizes]
        self._left = [loop.create_future() for _ in self.sizes]
        self._reader = asyncio.create_task(self._read())

    def close(self) -> None:
        """Drops the work not needed any more (the reset ended, or failed)."""
        if self._reader is not None:
            self._reader.cancel()
        for left in self._left:
            left.cancel()
        for made in self._made:
            if not made.done():
                made.cancel()
            elif not made.cancelled():
                for _, hashed in (p for pending in made.result().values() for p in pending):
                    if not hashed.cancel() and not hashed.cancelled():
                        hashed.exception()  # retrieved: a failure not waited for is no news

    async def passwords(self, index: int) -> PreparedPasswords:
        """Batch ``index``'s passwords and hashes, once all of them are hashed."""
        pending = await self._made[index]
        ready: _Ready = {}
        for policy, made in pending.items():
            hashes = await asyncio.gather(*(h for _, h in made), return_exceptions=True)
            ready[policy] = []
            for (password, _), hashed in zip(made, hashes, strict=True):
                if isinstance(hashed, str):
                    ready[policy].append((password, hashed))
                else:
                    logger.error("a password could not be hashed ahead", exc_info=hashed)
        return PreparedPasswords(ready, self.new_password)

    def done(self, index: int, passwords: PreparedPasswords) -> None:
        """Batch ``index`` is stored: what it left goes to the batch two after it."""
        self._taken.update(passwords.taken())
        if not self._left[index].done():
            self._left[index].set_result(passwords.ready)

    async def _read(self) -> None:
        spare: _Ready = {}
        for index, size in enumerate(self.sizes):
            if index >= 2:
                # Two batches queued at most; what the one two before left is used first.
                for policy, left in (await self._left[index - 2]).items():
                    spare.setdefault(policy, []).extend(left)
            try:
                policies = await self._policies()
            except Exception:
                logger.exception(
                    "passwords could not be prepared ahead; the batches have theirs made"
                )
                policies = Counter()
            pending: _Pending = {}
            for policy, count in self._allotment(size, policies).items():
                have, spare[policy] = spare.get(policy, [])[:count], spare.get(policy, [])[count:]
                pending[policy] = [(password, _hashed(hashed)) for password, hashed in have]
                pending[policy] += [
                    (password, asyncio.ensure_future(self.hasher.hash_in_turn(password)))
                    for password in self._new_passwords(policy, count - len(have))
                ]
            # The spare passwords of a policy no location has any more are dropped.
            spare = {policy: spare[policy] for policy in policies if policy in spare}
            self._made[index].set_result(pending)

    def _allotment(self, size: int, policies: Counter[PasswordPolicy]) -> dict[PasswordPolicy, int]:
        """How many passwords of each policy a batch of ``size`` users gets."""
        if len(policies) <= 1:
            return dict.fromkeys(policies, size)
        taken = Counter({policy: self._taken[policy] for policy in policies})
        shares = taken if taken.total() else policies
        return {
            policy: math.ceil(size * share / shares.total()) for policy, share in shares.items()
        }

    async def _policies(self) -> Counter[PasswordPolicy]:
        """Each policy of the administrator's locations, and of how many."""
        async with self.uow.reading() as uow:
            locations = await uow.locations.list(self.admin.location_ids)
        return Counter(location.password_policy for location in locations)

    def _new_passwords(self, policy: PasswordPolicy, count: int) -> list[str]:
        length = self.config.random_password_length
        return [random_password(policy, self.random, length) for _ in range(count)]


def _hashed(hashed: str) -> asyncio.Future[str]:
    future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    future.set_result(hashed)
    return future

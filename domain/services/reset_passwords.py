"""The new passwords of a reset, made and hashed ahead of the batches' transactions.

Argon2 is the slow part of a password reset: its hashes must keep every core busy
from the first user to the last, and everything else must happen meanwhile. So
the hashing does not go batch by batch. A reader makes the passwords of batch
after batch (one read of the batch's users and their locations) and queues them
all with ``PasswordHasher.hash_in_turn``, whose threads (one per core) take them
one after the other without waiting for the event loop. While a batch's hashes
run, the next batch is read and queued behind them; while a batch is stored, the
cores go on with the next one. The reader queues at most two batches, so no more
plaintext passwords wait than that.

Only an optimisation: a user without a password here (not read, its hash
failed) gets one in its transaction, as ``ResetBatch`` does for any user.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.ports import PasswordHasher, RandomSource, UnitOfWork
from domain.principals import AdminPrincipal
from domain.rules import random_password
from domain.services.config import ServiceConfig
from domain.services.reset_batch import PreparedPassword

# Kept under the reset's name: operators' log filters know it.
logger = logging.getLogger("connect_admin.domain.services.reset")

# Each user's new password and its hash to come.
_Pending = dict[int, tuple[str, "asyncio.Task[str]"]]


@dataclass
class PasswordPipeline:
    """Passwords for the batches' users who may get one; ``start()``, then ``passwords(i)``."""

    uow: UnitOfWork
    hasher: PasswordHasher
    random: RandomSource
    config: ServiceConfig
    admin: AdminPrincipal
    batches: Sequence[Sequence[tuple[str, int | None]]]
    _made: list[asyncio.Future[_Pending]] = field(default_factory=list)
    _reader: asyncio.Task[None] | None = None

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._made = [loop.create_future() for _ in self.batches]
        self._reader = asyncio.create_task(self._read())

    def close(self) -> None:
        """Drops the work not needed any more (the reset ended, or failed)."""
        if self._reader is not None:
            self._reader.cancel()
        for made in self._made:
            if not made.done():
                made.cancel()
            elif not made.cancelled():
                for _, hashed in made.result().values():
                    if not hashed.cancel() and not hashed.cancelled():
                        hashed.exception()  # retrieved: a failure not waited for is no news

    async def passwords(self, index: int) -> dict[int, PreparedPassword]:
        """Batch ``index``'s passwords and hashes, once all of them are hashed."""
        pending = await self._made[index]
        hashes = await asyncio.gather(*(h for _, h in pending.values()), return_exceptions=True)
        prepared = {}
        for (user_id, (password, _)), hashed in zip(pending.items(), hashes, strict=True):
            if isinstance(hashed, str):
                prepared[user_id] = (password, hashed)
            else:
                logger.error("a password could not be hashed ahead", exc_info=hashed)
        return prepared

    async def _read(self) -> None:
        for index, batch in enumerate(self.batches):
            if index >= 2:
                # Two batches queued at most; the one before this stays queued meanwhile.
                before = (h for _, h in (await self._made[index - 2]).values())
                await asyncio.gather(*before, return_exceptions=True)
            try:
                passwords = await self._new_passwords(batch)
            except Exception:
                logger.exception("passwords could not be prepared; they are made one by one")
                passwords = {}
            self._made[index].set_result(
                {
                    user_id: (password, asyncio.create_task(self.hasher.hash_in_turn(password)))
                    for user_id, password in passwords.items()
                }
            )

    async def _new_passwords(self, batch: Sequence[tuple[str, int | None]]) -> dict[int, str]:
        ids = [user_id for _, user_id in batch if user_id is not None]
        async with self.uow.reading() as uow:
            users = await uow.users.get_many(ids)
            locations = await uow.locations.get_many({u.location_id for u in users.values()})
        return {
            user.id: random_password(
                locations[user.location_id].password_policy,
                self.random,
                self.config.random_password_length,
            )
            for user in users.values()
            if user.email and self.admin.sees_location(user.location_id)
        }

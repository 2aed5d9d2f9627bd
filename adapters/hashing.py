"""Adapter of the domain's PasswordHasher port: argon2id, off the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

import argon2
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP Password Storage Cheat Sheet, the minimum for argon2id.
OWASP_MEMORY_COST_KIB = 19 * 1024
OWASP_TIME_COST = 2
OWASP_PARALLELISM = 1


# How much less CPU a bulk-hashing thread gets than the event loop when both want it
# (Linux: a thread's own nice value; 10 is a tenth of the share, roughly).
BULK_NICENESS = 10


def _behind_requests() -> None:
    """A reset of thousands keeps a thread per core hashing for many seconds; the
    requests that come meanwhile must still be answered at once, so the event loop
    goes first. Where a thread has no priority of its own, nothing changes."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BULK_NICENESS)


class Argon2PasswordHasher:
    """argon2id hashing, in a worker thread so that the event loop never waits on it.

    Implements :class:`domain.ports.PasswordHasher`. ``hash`` and ``verify`` run in
    the event loop's default executor; ``hash_in_turn`` in threads of its own, one
    per core (``turn_threads``): a thread takes the next queued secret as soon as it
    is done with one, without the event loop, which may be busy at that moment.
    """

    def __init__(
        self,
        *,
        memory_cost_kib: int = OWASP_MEMORY_COST_KIB,
        time_cost: int = OWASP_TIME_COST,
        parallelism: int = OWASP_PARALLELISM,
        turn_threads: int | None = None,
    ) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost_kib,
            parallelism=parallelism,
            type=argon2.Type.ID,
        )
        # Made on first need, with the same parameters, so a check of an
        # unknown login costs what a real one does.
        self._dummy_hash: str | None = None
        self._turns = ThreadPoolExecutor(
            max_workers=max(turn_threads or os.cpu_count() or 1, 1),
            thread_name_prefix="argon2-in-turn",
            initializer=_behind_requests,
        )

    async def hash(self, secret: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, secret)

    async def hash_in_turn(self, secret: str) -> str:
        # Cancelling the await drops a secret still queued (asyncio.wrap_future).
        return await asyncio.get_running_loop().run_in_executor(
            self._turns, self._hasher.hash, secret
        )

    async def verify(self, hashed: str | None, secret: str) -> bool:
        if hashed is None:
            await asyncio.to_thread(self._verify_dummy, secret)
            return False
        return await asyncio.to_thread(self._verify, hashed, secret)

    def _verify(self, hashed: str, secret: str) -> bool:
        try:
            return self._hasher.verify(hashed, secret)
        except (VerificationError, InvalidHashError):
            return False

    def _verify_dummy(self, secret: str) -> None:
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))
        self._verify(self._dummy_hash, secret)

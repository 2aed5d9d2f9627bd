"""Progress of long operations, from the mutation that runs one to its subscribers.

The state of an operation lives in a ProgressStore that every process serving
the API shares (the database, persistence/progress.py), so that with
``serve --workers N`` a subscription on one worker follows a reset that runs
on another. A report wakes the subscribers of the same process at once; the
others look at the store every ``poll_seconds``.

An operation is keyed by (caller, operation id), the caller being the
administrator's id: only the administrator who runs an operation (signed in
or through one of its API tokens) can watch it. For anyone else the key names
no operation; such a subscriber waits like an early one and then learns that
no operation started, the same answer as for an id nobody used.

The store is bounded: an operation is forgotten ``retain_seconds`` after its
last report, and a caller has at most ``max_per_caller`` unfinished ones. An
unfinished operation that has not reported for ``retain_seconds`` was
abandoned (its process ended): its id is free again, and its subscribers are
told. Each subscriber sees the latest state, not every step: a slow one skips
states but always gets the final one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from connect_admin.domain.ports import (
    ProgressClaim,
    ProgressSnapshot,
    ProgressStore,
    StoredProgress,
)

__all__ = [
    "MemoryProgressStore",
    "OperationAbandoned",
    "OperationInUse",
    "OperationLimitReached",
    "OperationNotStarted",
    "ProgressBroker",
    "ProgressRun",
    "ProgressSnapshot",
]

Key = tuple[int, str]


class OperationInUse(Exception):
    """The caller already runs an unfinished operation with this id."""


class OperationLimitReached(Exception):
    """The caller has as many unfinished operations as it may."""


class OperationNotStarted(Exception):
    """No operation with this key started within the wait timeout."""


class OperationAbandoned(Exception):
    """The operation stopped reporting before it finished: its process ended."""


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(eq=False)
class _Subscribers:
    """This process's subscribers of one key, and the event that wakes them."""

    count: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def publish(self) -> None:
        # Wake everyone waiting for a change; later waiters take the fresh event.
        changed, self.changed = self.changed, asyncio.Event()
        changed.set()


class ProgressRun:
    """The reporting side of one started operation (see ``ProgressBroker.start``)."""

    def __init__(self, broker: ProgressBroker, key: Key) -> None:
        self._broker = broker
        self._key = key
        self._last = ProgressSnapshot(done=0, total=0)
        self._finished = False

    async def report(self, done: int, total: int) -> None:
        if not self._finished:
            self._last = ProgressSnapshot(done=done, total=total)
            await self._broker.save(self._key, self._last)

    async def finish(self) -> None:
        """Marks the operation finished (idempotent); subscribers get the final state."""
        if not self._finished:
            self._finished = True
            await self._broker.save(self._key, replace(self._last, finished=True))


class ProgressBroker:
    def __init__(
        self,
        store: ProgressStore | None = None,
        *,
        wait_timeout: float = 60.0,
        retain_seconds: float = 300.0,
        max_per_caller: int = 20,
        poll_seconds: float = 0.5,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        # Without a store, progress stays in this process (tests, a private context).
        self.store: ProgressStore = store if store is not None else MemoryProgressStore()
        self.wait_timeout = wait_timeout
        self.retain = timedelta(seconds=retain_seconds)
        self.max_per_caller = max_per_caller
        self.poll_seconds = poll_seconds
        self.now = clock
        self._subscribers: dict[Key, _Subscribers] = {}

    @property
    def subscribed(self) -> int:
        """How many keys this process's subscribers wait on."""
        return len(self._subscribers)

    async def start(self, caller: int, operation_id: str) -> ProgressRun:
        """Registers a running operation; early subscribers start to receive it.

        A finished (or abandoned) operation with the same key is replaced; an
        unfinished one is refused (``OperationInUse``), as is one more than the
        caller may run at once (``OperationLimitReached``).
        """
        now = self.now()
        claim = await self.store.claim(
            caller, operation_id, now=now, forget_before=now - self.retain,
            max_unfinished=self.max_per_caller,
        )  # fmt: skip
        if claim is ProgressClaim.IN_USE:
            raise OperationInUse(operation_id)
        if claim is ProgressClaim.LIMIT_REACHED:
            raise OperationLimitReached
        self._publish((caller, operation_id))
        return ProgressRun(self, (caller, operation_id))

    async def save(self, key: Key, snapshot: ProgressSnapshot) -> None:
        await self.store.save(*key, snapshot, self.now())
        self._publish(key)

    async def watch(self, caller: int, operation_id: str) -> AsyncIterator[ProgressSnapshot]:
        """The states of the caller's operation, until and including the final one.

        Waits up to ``wait_timeout`` seconds for an operation that has not
        started yet, then raises ``OperationNotStarted``; a finished one
        answers its final state at once. An operation that stops reporting for
        ``retain_seconds`` raises ``OperationAbandoned``.
        """
        key = (caller, operation_id)
        subscribers = self._subscribers.setdefault(key, _Subscribers())
        subscribers.count += 1
        try:
            awaited_since = self.now()
            last: ProgressSnapshot | None = None
            while True:
                # Taken before the look at the store, so that no report goes unnoticed.
                changed = subscribers.changed
                stored = await self.store.load(caller, operation_id)
                now = self.now()
                if stored is None:
                    if (now - awaited_since).total_seconds() >= self.wait_timeout:
                        raise OperationNotStarted(operation_id)
                else:
                    snapshot = stored.snapshot
                    if snapshot is not None and snapshot != last:
                        last = snapshot
                        yield snapshot
                    if snapshot is not None and snapshot.finished:
                        return
                    if self._abandoned(stored, now):
                        raise OperationAbandoned(operation_id)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.poll_seconds):
                        await changed.wait()
        finally:
            subscribers.count -= 1
            if subscribers.count == 0 and self._subscribers.get(key) is subscribers:
                del self._subscribers[key]

    def _abandoned(self, stored: StoredProgress, now: datetime) -> bool:
        return stored.updated_at <= now - self.retain

    def _publish(self, key: Key) -> None:
        subscribers = self._subscribers.get(key)
        if subscribers is not None:
            subscribers.publish()


class MemoryProgressStore:
    """A ProgressStore for one process: a broker without a database."""

    def __init__(self) -> None:
        self._stored: dict[Key, StoredProgress] = {}

    def __len__(self) -> int:
        return len(self._stored)

    async def claim(
        self,
        caller: int,
        operation_id: str,
        *,
        now: datetime,
        forget_before: datetime,
        max_unfinished: int,
    ) -> ProgressClaim:
        self._stored = {k: s for k, s in self._stored.items() if s.updated_at >= forget_before}
        key = (caller, operation_id)
        existing = self._stored.get(key)
        if existing is not None and not (existing.snapshot and existing.snapshot.finished):
            return ProgressClaim.IN_USE
        unfinished = sum(
            1 for (owner, _), s in self._stored.items()
            if owner == caller and not (s.snapshot and s.snapshot.finished)
        )  # fmt: skip
        if unfinished >= max_unfinished:
            return ProgressClaim.LIMIT_REACHED
        self._stored[key] = StoredProgress(snapshot=None, updated_at=now)
        return ProgressClaim.CLAIMED

    async def save(
        self, caller: int, operation_id: str, snapshot: ProgressSnapshot, now: datetime
    ) -> None:
        self._stored[(caller, operation_id)] = StoredProgress(snapshot=snapshot, updated_at=now)

    async def load(self, caller: int, operation_id: str) -> StoredProgress | None:
        return self._stored.get((caller, operation_id))

"""Progress of long operations, from the mutation that runs one to its subscribers.

The state of an operation lives in a ProgressStore that every process serving
the API shares (the database, persistence/progress.py), so that with
``serve --workers N`` a subscription on one worker follows a reset that runs
on another. A report wakes the subscribers of the same process at once; for
the others, one poller per process loads every watched operation in one
statement each ``poll_seconds``.

An operation is keyed by (caller, operation id), the caller being the
administrator's id: only the administrator who runs an operation (signed in
or through one of its API tokens) can watch it. For anyone else the key names
no operation; such a subscriber waits like an early one and then learns that
no operation started, the same answer as for an id nobody used.

Bounds: a caller runs at most ``max_per_caller`` unfinished operations and, in
one process, watches at most as many; a process watches at most
``max_watched`` operations. A record is forgotten ``retain_seconds`` after its
last update. A running operation updates its record at least every fifth of
that, reports or not; one that stops (its process ended) is abandoned: its
subscribers are told, and its id is free again. Progress is bookkeeping: a
failed write is logged and never changes the operation's outcome. Each
subscriber sees the latest state, not every step: a slow one skips states but
always gets the final one.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import uuid
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from domain.error_codes import ErrorCode
from domain.errors import DomainError
from domain.ports import (
    FinishedRun,
    ProgressClaim,
    ProgressKey,
    ProgressSnapshot,
    ProgressStore,
    StoredProgress,
)
from domain.principals import AdminPrincipal, Principal
from domain.services.validation import NUL_REFUSED

__all__ = [
    "OperationAbandoned",
    "OperationInUse",
    "OperationLimitReached",
    "OperationNotStarted",
    "ProgressBroker",
    "ProgressRun",
    "ProgressSnapshot",
    "operation_id_problem",
]

logger = logging.getLogger("connect_admin.domain.services.progress")


class OperationInUse(Exception):
    """The caller already runs an unfinished operation with this id."""


class OperationLimitReached(Exception):
    """The caller, or this process, runs or watches as many operations as it may."""


class OperationNotStarted(Exception):
    """No operation with this key started within the wait timeout."""


class OperationAbandoned(Exception):
    """The operation stopped updating its record before it finished: its process ended."""


MAX_OPERATION_ID_LENGTH = 128


def operation_id_problem(operation_id: str) -> tuple[ErrorCode, str] | None:
    """Why an operation cannot have this id (code and message), if it cannot."""
    if not 0 < len(operation_id) <= MAX_OPERATION_ID_LENGTH:
        return (
            ErrorCode.INVALID_OPERATION_ID,
            f"The operation id must have 1 to {MAX_OPERATION_ID_LENGTH} characters.",
        )
    if "\x00" in operation_id:
        return NUL_REFUSED
    return None


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(eq=False)
class _Watched:
    """One key that this process's subscribers watch: its latest known record."""

    subscribers: int = 0
    latest: StoredProgress | None = None
    # Counts local updates, so that a poll begun before one cannot undo it.
    version: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def update(self, stored: StoredProgress | None) -> None:
        self.latest = stored
        self.version += 1
        # Wake everyone waiting for a change; later waiters take the fresh event.
        changed, self.changed = self.changed, asyncio.Event()
        changed.set()


class _End(enum.Enum):
    FINISHED = enum.auto()
    ABANDONED = enum.auto()


@dataclass
class _Following:
    """What one subscriber has seen of the operation it watches."""

    operation_id: str
    waiting_since: float
    run_id: str | None = None
    last: ProgressSnapshot | None = None

    def replaced(self, stored: StoredProgress | None) -> ProgressSnapshot | None:
        """The final state of the run followed, once another replaced it (after it
        finished, its result is kept) or its record went (abandoned)."""
        previous = stored.previous if stored is not None else None
        if previous is None or previous.run_id != self.run_id:
            raise OperationAbandoned(self.operation_id)
        return previous.snapshot if previous.snapshot != self.last else None

    def followed(
        self, stored: StoredProgress, *, expired: bool
    ) -> tuple[ProgressSnapshot | None, _End | None]:
        self.run_id = stored.run_id
        snapshot = stored.snapshot
        new = None
        if snapshot is not None and snapshot != self.last:
            self.last = new = snapshot
        if snapshot is not None and snapshot.finished:
            return new, _End.FINISHED
        return new, _End.ABANDONED if expired else None


class ProgressRun:
    """The reporting side of one started operation (see ``ProgressBroker.start``)."""

    def __init__(self, broker: ProgressBroker, key: ProgressKey, run_id: str) -> None:
        self._broker = broker
        self._key = key
        self._run_id = run_id
        self._last = ProgressSnapshot(done=0, total=0)
        self._over = False
        self._heartbeat = asyncio.create_task(self._beat())

    async def report(self, done: int, total: int) -> None:
        if not self._over:
            self._last = ProgressSnapshot(done=done, total=total)
            await self._save(self._last)

    async def finish(self) -> None:
        """Marks the operation finished (idempotent); subscribers get the final state."""
        self._heartbeat.cancel()
        if not self._over:
            await self._save(replace(self._last, finished=True))
            self._over = True

    async def _beat(self) -> None:
        # A batch may take a while: the record stays fresh, so nobody takes the
        # run for abandoned while it still works.
        while not self._over:
            await asyncio.sleep(self._broker.heartbeat_seconds)
            await self._save(None)

    async def _save(self, snapshot: ProgressSnapshot | None) -> None:
        try:
            ours = await self._broker.save(self._key, self._run_id, snapshot)
        except Exception:
            logger.warning("progress of an operation not stored", exc_info=True)
            return
        if not ours:
            # Forgotten, or claimed again after it was taken for abandoned.
            self._over = True


class ProgressBroker:
    def __init__(
        self,
        store: ProgressStore,
        *,
        wait_timeout: float = 60.0,
        retain_seconds: float = 300.0,
        max_per_caller: int = 20,
        max_watched: int = 1_000,
        poll_seconds: float = 0.5,
        heartbeat_seconds: float | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.wait_timeout = wait_timeout
        self.retain = timedelta(seconds=retain_seconds)
        # How often a running operation refreshes its record between reports.
        self.heartbeat_seconds = (
            heartbeat_seconds if heartbeat_seconds is not None else retain_seconds / 5
        )
        self.max_per_caller = max_per_caller
        self.max_watched = max_watched
        self.poll_seconds = poll_seconds
        self.now = clock
        self._watched: dict[ProgressKey, _Watched] = {}
        self._poller: asyncio.Task[None] | None = None

    @property
    def watched(self) -> int:
        """How many operations this process's subscribers watch."""
        return len(self._watched)

    async def start(self, caller: int, operation_id: str) -> ProgressRun:
        """Registers a running operation; early subscribers start to receive it.

        A finished (or abandoned) operation with the same key is replaced; an
        unfinished one is refused (``OperationInUse``), as is one more than the
        caller may run at once (``OperationLimitReached``).
        """
        key, run_id, now = (caller, operation_id), uuid.uuid4().hex, self.now()
        claim = await self.store.claim(
            key, run_id, now=now, forget_before=now - self.retain,
            max_unfinished=self.max_per_caller,
        )  # fmt: skip
        if claim is ProgressClaim.IN_USE:
            raise OperationInUse(operation_id)
        if claim is ProgressClaim.LIMIT_REACHED:
            raise OperationLimitReached
        watched = self._watched.get(key)
        if watched is not None:
            # As the store keeps it: the finished run replaced, for its slow subscribers.
            known, previous = watched.latest, None
            if known is not None and known.snapshot is not None and known.snapshot.finished:
                previous = FinishedRun(known.run_id, known.snapshot)
            watched.update(StoredProgress(run_id, None, now, previous=previous))
        return ProgressRun(self, key, run_id)

    async def start_operation(
        self, actor: Principal, operation_id: str | None
    ) -> ProgressRun | None:
        """The progress of the actor's run, for its subscribers; as ``start``, but the
        refusals are domain errors of ``operationId``.

        None without an operation id, and for an actor that is no administrator
        (the operation's service refuses it).
        """
        if operation_id is None or not isinstance(actor, AdminPrincipal):
            return None
        problem = operation_id_problem(operation_id)
        if problem is not None:
            raise DomainError.of(*problem, "operationId")
        try:
            return await self.start(actor.admin_id, operation_id)
        except OperationInUse:
            raise DomainError.of(
                ErrorCode.OPERATION_ID_IN_USE,
                "A run of yours with this operation id has not finished yet.",
                "operationId",
            ) from None
        except OperationLimitReached:
            raise DomainError.of(
                ErrorCode.OPERATION_LIMIT_REACHED,
                "Too many of your operations are running; try again later.",
                "operationId",
            ) from None

    async def save(self, key: ProgressKey, run_id: str, snapshot: ProgressSnapshot | None) -> bool:
        now = self.now()
        ours = await self.store.save(key, run_id, snapshot, now)
        watched = self._watched.get(key)
        if ours and watched is not None:
            known = watched.latest if watched.latest and watched.latest.run_id == run_id else None
            if snapshot is None and known is not None:
                snapshot = known.snapshot  # a heartbeat: only the time is new
            previous = known.previous if known is not None else None
            watched.update(StoredProgress(run_id, snapshot, now, previous=previous))
        return ours

    async def watch(self, caller: int, operation_id: str) -> AsyncGenerator[ProgressSnapshot, None]:
        """The states of the caller's operation, until and including the final one.

        Waits up to ``wait_timeout`` seconds for an operation that has not
        started yet, then raises ``OperationNotStarted``; a finished one
        answers its final state at once. One that stops updating its record
        for ``retain_seconds``, or whose record goes, raises ``OperationAbandoned``.
        """
        key = (caller, operation_id)
        watched = self._subscribe(key)
        try:
            await self._first_load(key, watched)
            following = _Following(operation_id, asyncio.get_running_loop().time())
            while True:
                # Taken before the look at the record, so that no update goes unnoticed.
                changed = watched.changed
                snapshot, end = self._look(following, watched.latest)
                if snapshot is not None:
                    yield snapshot
                if end is _End.ABANDONED:
                    raise OperationAbandoned(operation_id)
                if end is _End.FINISHED:
                    return
                # The poller wakes it for other processes' updates; the timeout
                # lets it notice the end of its wait or an abandoned run.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.poll_seconds):
                        await changed.wait()
        finally:
            self._unsubscribe(key, watched)

    async def _first_load(self, key: ProgressKey, watched: _Watched) -> None:
        """The first subscriber's record, not left to the poller's next round."""
        if watched.subscribers == 1 and watched.version == 0:
            try:
                await self._load({key: watched})
            except Exception:  # the poller tries again
                logger.warning("progress of an operation not loaded", exc_info=True)

    def _look(
        self, following: _Following, stored: StoredProgress | None
    ) -> tuple[ProgressSnapshot | None, _End | None]:
        """What a subscriber learns from the record: a state it has not seen, and
        whether the run ended."""
        if following.run_id is None and stored is not None and self._expired(stored):
            stored = None  # forgotten at the next claim: no run to follow
        if following.run_id is not None and (stored is None or stored.run_id != following.run_id):
            return following.replaced(stored), _End.FINISHED
        if stored is None:
            waited = asyncio.get_running_loop().time() - following.waiting_since
            if waited >= self.wait_timeout:
                raise OperationNotStarted(following.operation_id)
            return None, None
        return following.followed(stored, expired=self._expired(stored))

    def _expired(self, stored: StoredProgress) -> bool:
        """Not updated for ``retain_seconds``: finished long ago, or abandoned."""
        return stored.updated_at <= self.now() - self.retain

    def _subscribe(self, key: ProgressKey) -> _Watched:
        watched = self._watched.get(key)
        if watched is None:
            callers = sum(1 for caller, _ in self._watched if caller == key[0])
            if callers >= self.max_per_caller or len(self._watched) >= self.max_watched:
                raise OperationLimitReached
            watched = self._watched[key] = _Watched()
        watched.subscribers += 1
        if self._poller is None or self._poller.done():
            self._poller = asyncio.create_task(self._poll())
        return watched

    def _unsubscribe(self, key: ProgressKey, watched: _Watched) -> None:
        watched.subscribers -= 1
        if watched.subscribers == 0 and self._watched.get(key) is watched:
            del self._watched[key]

    async def _poll(self) -> None:
        """While anyone watches: every ``poll_seconds``, all watched records at once."""
        while self._watched:
            await asyncio.sleep(self.poll_seconds)
            try:
                await self._load(dict(self._watched))
            except Exception:
                logger.warning("progress of operations not loaded", exc_info=True)

    async def _load(self, watched: dict[ProgressKey, _Watched]) -> None:
        versions = {key: w.version for key, w in watched.items()}
        found = await self.store.load_many(watched)
        for key, w in watched.items():
            stored = found.get(key)
            if w.version == versions[key] and stored != w.latest:
                w.update(stored)

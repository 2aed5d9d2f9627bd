"""Progress of long operations, from the mutation that runs one to its subscribers.

In-process and in memory: with ``serve --workers N`` each worker process has
a broker of its own, so a subscription sees only operations that run in the
same process.

An operation is keyed by (caller, operation id), the caller being the
administrator's id: only the administrator who runs an operation (signed in
or through one of its API tokens) can watch it. For anyone else the key names
no operation; such a subscriber waits like an early one and then learns that
no operation started, the same answer as for an id nobody used.

Memory is bounded: a finished operation is forgotten ``retain_seconds`` after
it finished (or earlier, the oldest first, when the broker is full), and at
most ``max_operations`` operations (running, finished or awaited by an early
subscriber) are kept, at most ``max_per_caller`` of them unfinished per
caller. Each subscriber sees the latest state, not every step: a slow one
skips states but always gets the final one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace

Key = tuple[int, str]


@dataclass(frozen=True)
class ProgressSnapshot:
    done: int
    total: int
    finished: bool = False


class OperationInUse(Exception):
    """The caller already runs an unfinished operation with this id."""


class OperationLimitReached(Exception):
    """The broker, or the caller's share of it, is full of unfinished operations."""


class OperationNotStarted(Exception):
    """No operation with this key started within the wait timeout."""


@dataclass(eq=False)
class _Operation:
    started: bool = False
    snapshot: ProgressSnapshot | None = None
    finished_at: float | None = None
    watchers: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def publish(self) -> None:
        # Wake everyone waiting for a change; later waiters take the fresh event.
        changed, self.changed = self.changed, asyncio.Event()
        changed.set()


class ProgressRun:
    """The reporting side of one started operation (see ``ProgressBroker.start``)."""

    def __init__(self, broker: ProgressBroker, operation: _Operation) -> None:
        self._broker = broker
        self._operation = operation

    async def report(self, done: int, total: int) -> None:
        operation = self._operation
        if operation.finished_at is not None:
            return
        operation.snapshot = ProgressSnapshot(done=done, total=total)
        operation.publish()

    def finish(self) -> None:
        """Marks the operation finished (idempotent); subscribers get the final state."""
        operation = self._operation
        if operation.finished_at is not None:
            return
        last = operation.snapshot or ProgressSnapshot(done=0, total=0)
        operation.snapshot = replace(last, finished=True)
        operation.finished_at = self._broker.now()
        operation.publish()


class ProgressBroker:
    def __init__(
        self,
        *,
        wait_timeout: float = 60.0,
        retain_seconds: float = 300.0,
        max_operations: int = 1_000,
        max_per_caller: int = 20,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.wait_timeout = wait_timeout
        self.retain_seconds = retain_seconds
        self.max_operations = max_operations
        self.max_per_caller = max_per_caller
        self.now = clock
        self._operations: dict[Key, _Operation] = {}

    def __len__(self) -> int:
        return len(self._operations)

    def start(self, caller: int, operation_id: str) -> ProgressRun:
        """Registers a running operation; early subscribers start to receive it.

        A finished operation with the same key is replaced; an unfinished one
        is refused (``OperationInUse``), as is one more when full
        (``OperationLimitReached``).
        """
        key = (caller, operation_id)
        operation = self._operations.get(key)
        if operation is not None and operation.started and operation.finished_at is None:
            raise OperationInUse(operation_id)
        if operation is None or operation.finished_at is not None:
            self._operations.pop(key, None)
            operation = self._admit(key)
        operation.started = True
        operation.publish()
        return ProgressRun(self, operation)

    async def watch(self, caller: int, operation_id: str) -> AsyncIterator[ProgressSnapshot]:
        """The states of the caller's operation, until and including the final one.

        Waits up to ``wait_timeout`` seconds for an operation that has not
        started yet, then raises ``OperationNotStarted``; a finished one
        answers its final state at once.
        """
        key = (caller, operation_id)
        operation = self._operations.get(key) or self._admit(key)
        operation.watchers += 1
        try:
            if not operation.started:
                async with asyncio.timeout(self.wait_timeout):
                    while not operation.started:
                        await operation.changed.wait()
            last: ProgressSnapshot | None = None
            while True:
                changed = operation.changed
                snapshot = operation.snapshot
                if snapshot is not None and snapshot != last:
                    last = snapshot
                    yield snapshot
                if snapshot is not None and snapshot.finished:
                    return
                await changed.wait()
        except TimeoutError:
            raise OperationNotStarted(operation_id) from None
        finally:
            operation.watchers -= 1
            # Nobody waits for it any more: an early subscriber's placeholder goes.
            if (
                not operation.started
                and operation.watchers == 0
                and self._operations.get(key) is operation
            ):
                del self._operations[key]

    def _admit(self, key: Key) -> _Operation:
        """A new, not yet started operation under ``key``, when there is room."""
        self._forget_expired()
        unfinished = sum(
            1 for (caller, _), op in self._operations.items()
            if caller == key[0] and op.finished_at is None
        )  # fmt: skip
        if unfinished >= self.max_per_caller:
            raise OperationLimitReached
        if len(self._operations) >= self.max_operations:
            finished = [
                (op.finished_at, k) for k, op in self._operations.items()
                if op.finished_at is not None
            ]  # fmt: skip
            if not finished:
                raise OperationLimitReached
            del self._operations[min(finished)[1]]
        operation = _Operation()
        self._operations[key] = operation
        return operation

    def _forget_expired(self) -> None:
        horizon = self.now() - self.retain_seconds
        for key in [
            k for k, op in self._operations.items()
            if op.finished_at is not None and op.finished_at <= horizon
        ]:  # fmt: skip
            del self._operations[key]

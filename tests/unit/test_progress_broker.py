"""The progress broker: keys per caller, early and late subscribers, bounds, abandoned runs.

On the in-memory store; tests/integration/test_persistence_progress.py runs the
database store, tests/api/test_progress_api.py two servers on one database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

import pytest

from domain.ports import ProgressKey, ProgressSnapshot, StoredProgress
from domain.services.progress import (
    OperationAbandoned,
    OperationInUse,
    OperationLimitReached,
    OperationNotStarted,
    ProgressBroker,
)
from tests.fakes import MemoryProgressStore

ALICE, BOB = 1, 2


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class BrokenStore(MemoryProgressStore):
    """A database that refuses every write once the run has started."""

    broken = False

    async def save(
        self, key: ProgressKey, run_id: str, snapshot: ProgressSnapshot | None, now: datetime
    ) -> bool:
        if self.broken:
            raise OSError("database is locked")
        return await super().save(key, run_id, snapshot, now)


class CountingStore(MemoryProgressStore):
    def __init__(self) -> None:
        super().__init__()
        self.loads: list[set[ProgressKey]] = []

    async def load_many(self, keys: Iterable[ProgressKey]) -> dict[ProgressKey, StoredProgress]:
        keys = set(keys)
        self.loads.append(keys)
        return await super().load_many(keys)


async def collect(broker: ProgressBroker, caller: int, operation_id: str) -> list[ProgressSnapshot]:
    return [s async for s in broker.watch(caller, operation_id)]


async def until(condition: Callable[[], bool], turns: int = 1000) -> None:
    """Lets the event loop run until ``condition`` holds: loop turns, no timing."""
    for _ in range(turns):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


async def test_an_early_subscriber_sees_the_run_until_its_end() -> None:
    # No polling: the process's own reports wake its subscribers.
    broker = ProgressBroker(MemoryProgressStore(), poll_seconds=3600)
    watched: list[ProgressSnapshot] = []
    first = asyncio.Event()

    async def watch() -> None:
        async for snapshot in broker.watch(ALICE, "op"):
            watched.append(snapshot)
            first.set()

    watcher = asyncio.create_task(watch())
    await until(lambda: broker.watched == 1)  # awaited before the run starts
    run = await broker.start(ALICE, "op")
    await run.report(1, 2)
    await first.wait()
    await run.report(2, 2)
    await run.finish()
    await watcher
    assert watched[0] == ProgressSnapshot(1, 2)
    assert watched[-1] == ProgressSnapshot(2, 2, finished=True)
    assert [s.done for s in watched] == sorted(s.done for s in watched)
    assert broker.watched == 0


async def test_a_subscriber_sees_runs_of_another_process_through_the_store() -> None:
    store = MemoryProgressStore()
    runner, watcher = ProgressBroker(store), ProgressBroker(store, poll_seconds=0)
    run = await runner.start(ALICE, "op")
    await run.report(1, 2)
    watched = watcher.watch(ALICE, "op")
    assert await anext(watched) == ProgressSnapshot(1, 2)
    await run.finish()
    assert [s async for s in watched] == [ProgressSnapshot(1, 2, finished=True)]


async def test_one_poll_serves_every_subscriber_of_a_process() -> None:
    store = CountingStore()
    runner = ProgressBroker(store)
    watcher = ProgressBroker(store, poll_seconds=0)
    runs = [await runner.start(ALICE, f"op{n}") for n in range(3)]
    streams = [watcher.watch(ALICE, f"op{n}") for n in range(3)]
    for run in runs:
        await run.report(1, 1)
    for stream in streams:
        assert await anext(stream) == ProgressSnapshot(1, 1)
    store.loads.clear()
    await until(lambda: len(store.loads) >= 3)
    assert store.loads[:3] == [{(ALICE, "op0"), (ALICE, "op1"), (ALICE, "op2")}] * 3
    for run in runs:
        await run.finish()
    for stream in streams:
        assert [s async for s in stream] == [ProgressSnapshot(1, 1, finished=True)]


async def test_a_late_subscriber_gets_the_final_state_at_once() -> None:
    broker = ProgressBroker(MemoryProgressStore(), wait_timeout=0)
    run = await broker.start(ALICE, "op")
    await run.report(1, 1)
    await run.finish()
    assert await collect(broker, ALICE, "op") == [ProgressSnapshot(1, 1, finished=True)]


async def test_another_caller_sees_nothing_of_it() -> None:
    broker = ProgressBroker(MemoryProgressStore(), wait_timeout=0)
    run = await broker.start(ALICE, "op")
    await run.report(1, 1)
    await run.finish()
    with pytest.raises(OperationNotStarted):
        await collect(broker, BOB, "op")
    assert broker.watched == 0  # Bob's wait is forgotten


async def test_a_run_refused_before_any_user_still_finishes() -> None:
    broker = ProgressBroker(MemoryProgressStore())
    await (await broker.start(ALICE, "op")).finish()
    assert await collect(broker, ALICE, "op") == [ProgressSnapshot(0, 0, finished=True)]


async def test_an_unfinished_id_cannot_start_again_a_finished_one_can() -> None:
    broker = ProgressBroker(MemoryProgressStore())
    run = await broker.start(ALICE, "op")
    with pytest.raises(OperationInUse):
        await broker.start(ALICE, "op")
    await (await broker.start(BOB, "op")).finish()  # another caller's key
    await run.finish()
    again = await broker.start(ALICE, "op")
    await again.report(1, 5)
    await again.finish()
    assert await collect(broker, ALICE, "op") == [ProgressSnapshot(1, 5, finished=True)]


async def test_finished_operations_are_forgotten_after_a_while() -> None:
    clock, store = FakeClock(), MemoryProgressStore()
    broker = ProgressBroker(store, retain_seconds=60, wait_timeout=0, clock=clock)
    await (await broker.start(ALICE, "old")).finish()
    clock.advance(61)
    await (await broker.start(ALICE, "new")).finish()
    assert len(store) == 1
    with pytest.raises(OperationNotStarted):
        await collect(broker, ALICE, "old")


async def test_a_run_whose_process_ended_is_abandoned_and_its_id_free_again() -> None:
    clock, store = FakeClock(), MemoryProgressStore()
    ended = ProgressBroker(store, retain_seconds=60, heartbeat_seconds=3600, clock=clock)
    broker = ProgressBroker(store, retain_seconds=60, poll_seconds=0, clock=clock)
    run = await ended.start(ALICE, "op")
    await run.report(1, 10)
    clock.advance(30)
    with pytest.raises(OperationInUse):
        await broker.start(ALICE, "op")  # still running, as far as anyone knows
    watched = broker.watch(ALICE, "op")
    assert await anext(watched) == ProgressSnapshot(1, 10)
    clock.advance(31)  # then nothing for longer than retain_seconds
    with pytest.raises(OperationAbandoned):
        await anext(watched)

    again = await broker.start(ALICE, "op")
    # The old run, should it wake after all, changes nothing of the new one's.
    await run.report(9, 10)
    await run.finish()
    await again.report(2, 4)
    await again.finish()
    assert await collect(broker, ALICE, "op") == [ProgressSnapshot(2, 4, finished=True)]


async def test_a_new_subscriber_waits_for_a_new_run_not_an_expired_one() -> None:
    clock, store = FakeClock(), MemoryProgressStore()
    ended = ProgressBroker(store, retain_seconds=60, heartbeat_seconds=3600, clock=clock)
    broker = ProgressBroker(store, retain_seconds=60, poll_seconds=0, clock=clock)
    old = await ended.start(ALICE, "op")
    await old.report(3, 10)
    clock.advance(61)  # its process ended long ago; the record is not forgotten yet
    watched = broker.watch(ALICE, "op")  # the client tries again, subscribing first
    waiting = asyncio.create_task(anext(watched))
    await until(lambda: broker.watched == 1)
    retry = await broker.start(ALICE, "op")
    await retry.report(4, 10)
    assert await waiting == ProgressSnapshot(4, 10)
    await retry.finish()
    assert [s async for s in watched] == [ProgressSnapshot(4, 10, finished=True)]
    await old.finish()


async def test_a_run_replaced_right_after_it_finished_still_ends_for_its_subscribers() -> None:
    store = MemoryProgressStore()
    runner = ProgressBroker(store)
    watcher = ProgressBroker(store, poll_seconds=0)
    first = await runner.start(ALICE, "op")
    await first.report(5, 10)
    watched = watcher.watch(ALICE, "op")
    assert await anext(watched) == ProgressSnapshot(5, 10)
    await first.report(10, 10)
    await first.finish()
    # The same id again, before the watcher's next poll: the memory store never
    # suspends, so no poll runs between the two.
    second = await runner.start(ALICE, "op")
    assert [s async for s in watched] == [ProgressSnapshot(10, 10, finished=True)]
    await second.finish()


async def test_a_running_operation_stays_fresh_between_reports() -> None:
    clock, store = FakeClock(), MemoryProgressStore()
    broker = ProgressBroker(store, retain_seconds=60, heartbeat_seconds=0, clock=clock)
    run = await broker.start(ALICE, "op")
    await run.report(1, 10)
    clock.advance(61)  # a long batch: no report for longer than retain_seconds
    await until(lambda: store._stored[(ALICE, "op")].updated_at == clock.now)
    with pytest.raises(OperationInUse):
        await broker.start(ALICE, "op")
    await run.finish()


async def test_a_failed_progress_write_does_not_fail_the_operation(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = BrokenStore()
    broker = ProgressBroker(store)
    run = await broker.start(ALICE, "op")
    store.broken = True
    await run.report(1, 2)  # logged, not raised
    await run.finish()
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert [r.getMessage() for r in warnings] == ["progress of an operation not stored"] * 2


async def test_a_caller_runs_a_bounded_number_at_once() -> None:
    broker = ProgressBroker(MemoryProgressStore(), max_per_caller=2)
    first = await broker.start(ALICE, "a1")
    second = await broker.start(ALICE, "a2")
    with pytest.raises(OperationLimitReached):
        await broker.start(ALICE, "a3")  # Alice's share is full
    bobs = await broker.start(BOB, "b1")  # Bob has a share of his own
    await first.finish()
    third = await broker.start(ALICE, "a3")  # a finished run makes room
    for run in (second, bobs, third):
        await run.finish()


async def test_a_process_watches_a_bounded_number_of_operations() -> None:
    broker = ProgressBroker(
        MemoryProgressStore(), max_per_caller=2, max_watched=3, poll_seconds=3600
    )
    streams = [broker.watch(ALICE, "a1"), broker.watch(ALICE, "a2"), broker.watch(BOB, "b1")]
    waiting = [asyncio.create_task(anext(stream)) for stream in streams]
    await until(lambda: broker.watched == 3)
    with pytest.raises(OperationLimitReached):
        await anext(broker.watch(ALICE, "a3"))  # Alice's share
    with pytest.raises(OperationLimitReached):
        await anext(broker.watch(BOB, "b2"))  # the process's
    for task in waiting:
        task.cancel()
    await asyncio.gather(*waiting, return_exceptions=True)
    assert broker.watched == 0

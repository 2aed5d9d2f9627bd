"""The progress broker: keys per caller, early and late subscribers, bounds, abandoned runs.

On the in-memory store; tests/integration/test_persistence_progress.py runs the
database store, tests/api/test_progress_api.py two servers on one database.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from connect_admin.gql.progress_broker import (
    MemoryProgressStore,
    OperationAbandoned,
    OperationInUse,
    OperationLimitReached,
    OperationNotStarted,
    ProgressBroker,
    ProgressSnapshot,
)

ALICE, BOB = 1, 2


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


async def collect(broker: ProgressBroker, caller: int, operation_id: str) -> list[ProgressSnapshot]:
    return [s async for s in broker.watch(caller, operation_id)]


async def test_an_early_subscriber_sees_the_run_until_its_end() -> None:
    # No polling: the process's own reports wake its subscribers.
    broker = ProgressBroker(poll_seconds=3600)
    watched: list[ProgressSnapshot] = []
    first = asyncio.Event()

    async def watch() -> None:
        async for snapshot in broker.watch(ALICE, "op"):
            watched.append(snapshot)
            first.set()

    watcher = asyncio.create_task(watch())
    await asyncio.sleep(0)  # let it subscribe: one turn of the loop, no timing
    assert broker.subscribed == 1  # awaited before the run starts
    run = await broker.start(ALICE, "op")
    await run.report(1, 2)
    await first.wait()
    await run.report(2, 2)
    await run.finish()
    await watcher
    assert watched[0] == ProgressSnapshot(1, 2)
    assert watched[-1] == ProgressSnapshot(2, 2, finished=True)
    assert [s.done for s in watched] == sorted(s.done for s in watched)
    assert broker.subscribed == 0


async def test_a_subscriber_sees_runs_of_another_process_through_the_store() -> None:
    store = MemoryProgressStore()
    runner, watcher = ProgressBroker(store), ProgressBroker(store, poll_seconds=0)
    run = await runner.start(ALICE, "op")
    await run.report(1, 2)
    watched = watcher.watch(ALICE, "op")
    assert await anext(watched) == ProgressSnapshot(1, 2)
    await run.finish()
    assert [s async for s in watched] == [ProgressSnapshot(1, 2, finished=True)]


async def test_a_late_subscriber_gets_the_final_state_at_once() -> None:
    broker = ProgressBroker(wait_timeout=0)
    run = await broker.start(ALICE, "op")
    await run.report(1, 1)
    await run.finish()
    assert await collect(broker, ALICE, "op") == [ProgressSnapshot(1, 1, finished=True)]


async def test_another_caller_sees_nothing_of_it() -> None:
    broker = ProgressBroker(wait_timeout=0)
    run = await broker.start(ALICE, "op")
    await run.report(1, 1)
    await run.finish()
    with pytest.raises(OperationNotStarted):
        await collect(broker, BOB, "op")
    assert broker.subscribed == 0  # Bob's wait is forgotten


async def test_a_run_refused_before_any_user_still_finishes() -> None:
    broker = ProgressBroker()
    await (await broker.start(ALICE, "op")).finish()
    assert await collect(broker, ALICE, "op") == [ProgressSnapshot(0, 0, finished=True)]


async def test_an_unfinished_id_cannot_start_again_a_finished_one_can() -> None:
    broker = ProgressBroker()
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
    await broker.start(ALICE, "new")
    assert len(store) == 1
    with pytest.raises(OperationNotStarted):
        await collect(broker, ALICE, "old")


async def test_a_run_whose_process_ended_is_abandoned_and_its_id_free_again() -> None:
    clock = FakeClock()
    broker = ProgressBroker(retain_seconds=60, poll_seconds=0, clock=clock)
    run = await broker.start(ALICE, "op")
    await run.report(1, 10)
    clock.advance(30)
    with pytest.raises(OperationInUse):
        await broker.start(ALICE, "op")  # still reporting, as far as anyone knows
    clock.advance(31)  # then nothing for longer than retain_seconds
    watched = broker.watch(ALICE, "op")
    assert await anext(watched) == ProgressSnapshot(1, 10)
    with pytest.raises(OperationAbandoned):
        await anext(watched)
    await broker.start(ALICE, "op")


async def test_a_caller_runs_a_bounded_number_at_once() -> None:
    broker = ProgressBroker(max_per_caller=2)
    first = await broker.start(ALICE, "a1")
    await broker.start(ALICE, "a2")
    with pytest.raises(OperationLimitReached):
        await broker.start(ALICE, "a3")  # Alice's share is full
    await broker.start(BOB, "b1")  # Bob has a share of his own
    await first.finish()
    await broker.start(ALICE, "a3")  # a finished run makes room

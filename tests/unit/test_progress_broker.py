"""The in-process progress broker: keys per caller, early and late subscribers, bounds."""

from __future__ import annotations

import asyncio

import pytest

from connect_admin.gql.progress_broker import (
    OperationInUse,
    OperationLimitReached,
    OperationNotStarted,
    ProgressBroker,
    ProgressSnapshot,
)

ALICE, BOB = 1, 2


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def collect(broker: ProgressBroker, caller: int, operation_id: str) -> list[ProgressSnapshot]:
    return [s async for s in broker.watch(caller, operation_id)]


async def test_an_early_subscriber_sees_the_run_until_its_end() -> None:
    broker = ProgressBroker()
    watched: list[ProgressSnapshot] = []
    first = asyncio.Event()

    async def watch() -> None:
        async for snapshot in broker.watch(ALICE, "op"):
            watched.append(snapshot)
            first.set()

    watcher = asyncio.create_task(watch())
    await asyncio.sleep(0)  # let it subscribe: one turn of the loop, no timing
    assert len(broker) == 1  # awaited before the run starts
    run = broker.start(ALICE, "op")
    await run.report(1, 2)
    await first.wait()
    await run.report(2, 2)
    run.finish()
    await watcher
    assert watched[0] == ProgressSnapshot(1, 2)
    assert watched[-1] == ProgressSnapshot(2, 2, finished=True)
    assert [s.done for s in watched] == sorted(s.done for s in watched)


async def test_a_late_subscriber_gets_the_final_state_at_once() -> None:
    broker = ProgressBroker(wait_timeout=0)
    run = broker.start(ALICE, "op")
    await run.report(1, 1)
    run.finish()
    assert await collect(broker, ALICE, "op") == [ProgressSnapshot(1, 1, finished=True)]


async def test_another_caller_sees_nothing_of_it() -> None:
    broker = ProgressBroker(wait_timeout=0.01)
    run = broker.start(ALICE, "op")
    await run.report(1, 1)
    run.finish()
    with pytest.raises(OperationNotStarted):
        await collect(broker, BOB, "op")
    assert len(broker) == 1  # Bob's placeholder is gone again


async def test_a_run_refused_before_any_user_still_finishes() -> None:
    broker = ProgressBroker()
    broker.start(ALICE, "op").finish()
    assert await collect(broker, ALICE, "op") == [ProgressSnapshot(0, 0, finished=True)]


async def test_an_unfinished_id_cannot_start_again_a_finished_one_can() -> None:
    broker = ProgressBroker()
    run = broker.start(ALICE, "op")
    with pytest.raises(OperationInUse):
        broker.start(ALICE, "op")
    broker.start(BOB, "op").finish()  # another caller's key
    run.finish()
    again = broker.start(ALICE, "op")
    await again.report(1, 5)
    again.finish()
    assert await collect(broker, ALICE, "op") == [ProgressSnapshot(1, 5, finished=True)]


async def test_finished_operations_are_forgotten_after_a_while() -> None:
    clock = FakeClock()
    broker = ProgressBroker(retain_seconds=60, wait_timeout=0, clock=clock)
    broker.start(ALICE, "old").finish()
    clock.now += 61
    broker.start(ALICE, "new")
    assert len(broker) == 1
    with pytest.raises(OperationNotStarted):
        await collect(broker, ALICE, "old")


async def test_memory_is_bounded() -> None:
    broker = ProgressBroker(max_operations=3, max_per_caller=2)
    broker.start(ALICE, "a1")
    broker.start(ALICE, "a2")
    with pytest.raises(OperationLimitReached):
        broker.start(ALICE, "a3")  # Alice's share is full
    broker.start(BOB, "b1").finish()
    broker.start(BOB, "b2")  # full now: Bob's finished b1 makes room
    assert len(broker) == 3
    with pytest.raises(OperationLimitReached):
        broker.start(BOB, "b3")  # nothing finished left to forget

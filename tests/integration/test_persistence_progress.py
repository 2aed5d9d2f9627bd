"""The progress store in the database, as every worker process of a server shares it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.ports import (
    FinishedRun,
    ProgressClaim,
    ProgressKey,
    ProgressSnapshot,
    ProgressStore,
    StoredProgress,
)
from domain.services.progress import OperationAbandoned, ProgressBroker
from persistence.progress import SqlProgressStore

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
RETAIN = timedelta(minutes=5)
ALICE, BOB = 1, 2


async def claim(
    store: SqlProgressStore,
    key: ProgressKey,
    run_id: str = "r1",
    now: datetime = T0,
    limit: int = 2,
) -> ProgressClaim:
    return await store.claim(key, run_id, now=now, forget_before=now - RETAIN, max_unfinished=limit)


async def load(store: SqlProgressStore, key: ProgressKey) -> StoredProgress | None:
    return (await store.load_many([key])).get(key)


async def test_conforms_to_the_port(clean_database: AsyncEngine) -> None:
    port: ProgressStore = SqlProgressStore(clean_database)
    assert await port.load_many([(ALICE, "op")]) == {}


async def test_a_run_is_claimed_reported_and_read(clean_database: AsyncEngine) -> None:
    store = SqlProgressStore(clean_database)
    assert await claim(store, (ALICE, "op")) is ProgressClaim.CLAIMED
    assert await load(store, (ALICE, "op")) == StoredProgress("r1", None, T0)

    later = T0 + timedelta(seconds=3)
    assert await store.save((ALICE, "op"), "r1", ProgressSnapshot(40, 100), later)
    assert await load(store, (ALICE, "op")) == StoredProgress(
        "r1", ProgressSnapshot(40, 100), later
    )
    # A heartbeat: the same state, a new time.
    latest = later + timedelta(minutes=1)
    assert await store.save((ALICE, "op"), "r1", None, latest)
    assert await load(store, (ALICE, "op")) == StoredProgress(
        "r1", ProgressSnapshot(40, 100), latest
    )
    assert await load(store, (BOB, "op")) is None


async def test_many_runs_are_read_in_one_go(clean_database: AsyncEngine) -> None:
    store = SqlProgressStore(clean_database)
    keys = [(ALICE, "a"), (ALICE, "b"), (BOB, "a")]
    for key in keys:
        await claim(store, key)
    found = await store.load_many([*keys, (BOB, "nothing")])
    assert sorted(found) == sorted(keys)


async def test_an_unfinished_id_is_in_use_a_finished_one_is_replaced(
    clean_database: AsyncEngine,
) -> None:
    store = SqlProgressStore(clean_database)
    await claim(store, (ALICE, "op"))
    assert await claim(store, (ALICE, "op"), "r2") is ProgressClaim.IN_USE
    assert await claim(store, (BOB, "op"), "r3") is ProgressClaim.CLAIMED

    assert await store.save((ALICE, "op"), "r1", ProgressSnapshot(5, 5, finished=True), T0)
    assert await claim(store, (ALICE, "op"), "r2") is ProgressClaim.CLAIMED
    # The finished run's result stays beside the new run, for its subscribers.
    finished = FinishedRun("r1", ProgressSnapshot(5, 5, finished=True))
    assert await load(store, (ALICE, "op")) == StoredProgress("r2", None, T0, previous=finished)


async def test_a_finished_or_replaced_run_writes_nothing_more(clean_database: AsyncEngine) -> None:
    store = SqlProgressStore(clean_database)
    await claim(store, (ALICE, "op"))
    await store.save((ALICE, "op"), "r1", ProgressSnapshot(3, 3, finished=True), T0)
    assert not await store.save((ALICE, "op"), "r1", ProgressSnapshot(1, 3), T0)

    await claim(store, (ALICE, "op"), "r2")
    assert not await store.save((ALICE, "op"), "r1", ProgressSnapshot(2, 3), T0)
    replaced = await load(store, (ALICE, "op"))
    assert replaced is not None
    assert (replaced.run_id, replaced.snapshot) == ("r2", None)


async def test_two_workers_claiming_one_id_at_once_get_it_once(
    clean_database: AsyncEngine,
) -> None:
    store = SqlProgressStore(clean_database)
    claims = await asyncio.gather(*(claim(store, (ALICE, "op"), f"r{n}") for n in range(6)))
    assert sorted(c.value for c in claims) == ["CLAIMED"] + ["IN_USE"] * 5


async def test_a_caller_has_a_bounded_number_of_unfinished_runs(
    clean_database: AsyncEngine,
) -> None:
    store = SqlProgressStore(clean_database)
    assert await claim(store, (ALICE, "a1")) is ProgressClaim.CLAIMED
    assert await claim(store, (ALICE, "a2")) is ProgressClaim.CLAIMED
    assert await claim(store, (ALICE, "a3")) is ProgressClaim.LIMIT_REACHED
    assert await load(store, (ALICE, "a3")) is None  # the refused claim left nothing
    assert await claim(store, (BOB, "b1")) is ProgressClaim.CLAIMED

    await store.save((ALICE, "a1"), "r1", ProgressSnapshot(1, 1, finished=True), T0)
    assert await claim(store, (ALICE, "a3")) is ProgressClaim.CLAIMED


async def test_the_bound_holds_for_claims_at_once(clean_database: AsyncEngine) -> None:
    store = SqlProgressStore(clean_database)
    claims = await asyncio.gather(*(claim(store, (ALICE, f"op{n}"), limit=1) for n in range(4)))
    assert sorted(c.value for c in claims) == ["CLAIMED"] + ["LIMIT_REACHED"] * 3


async def test_old_and_abandoned_runs_are_forgotten_at_the_next_claim(
    clean_database: AsyncEngine,
) -> None:
    store = SqlProgressStore(clean_database)
    await claim(store, (ALICE, "finished"))
    await store.save((ALICE, "finished"), "r1", ProgressSnapshot(1, 1, finished=True), T0)
    await claim(store, (ALICE, "abandoned"))
    await claim(store, (BOB, "recent"), now=T0 + RETAIN)

    later = T0 + RETAIN + timedelta(seconds=1)
    assert await claim(store, (ALICE, "abandoned"), "r2", now=later) is ProgressClaim.CLAIMED
    assert await load(store, (ALICE, "finished")) is None
    assert await load(store, (BOB, "recent")) is not None
    assert await load(store, (ALICE, "abandoned")) == StoredProgress("r2", None, later)


async def test_subscribers_on_the_database_learn_of_an_abandoned_run(
    clean_database: AsyncEngine,
) -> None:
    now = [T0]
    store = SqlProgressStore(clean_database)
    # The run's process ends after its report: no heartbeat comes any more.
    ended = ProgressBroker(store, heartbeat_seconds=3600, clock=lambda: now[0])
    other = ProgressBroker(store, poll_seconds=0, clock=lambda: now[0])
    run = await ended.start(ALICE, "op")
    await run.report(10, 100)
    watched = other.watch(ALICE, "op")
    assert await anext(watched) == ProgressSnapshot(10, 100)
    now[0] += RETAIN + timedelta(seconds=1)
    with pytest.raises(OperationAbandoned):
        await anext(watched)
    await (await other.start(ALICE, "op")).finish()
    await run.finish()  # cancels the heartbeat; the new run's record stays
    assert (await load(store, (ALICE, "op"))).snapshot == ProgressSnapshot(0, 0, finished=True)  # type: ignore[union-attr]

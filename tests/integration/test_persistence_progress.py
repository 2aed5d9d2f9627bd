"""The progress store in the database, as every worker process of a server shares it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from connect_admin.domain.ports import ProgressClaim, ProgressSnapshot, ProgressStore
from connect_admin.persistence.progress import SqlProgressStore

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
RETAIN = timedelta(minutes=5)
ALICE, BOB = 1, 2


async def claim(store: SqlProgressStore, caller: int, op: str, now: datetime = T0) -> ProgressClaim:
    return await store.claim(caller, op, now=now, forget_before=now - RETAIN, max_unfinished=2)


async def test_conforms_to_the_port(clean_database: AsyncEngine) -> None:
    port: ProgressStore = SqlProgressStore(clean_database)
    assert await port.load(ALICE, "op") is None


async def test_a_run_is_claimed_reported_and_read(clean_database: AsyncEngine) -> None:
    store = SqlProgressStore(clean_database)
    assert await claim(store, ALICE, "op") is ProgressClaim.CLAIMED
    started = await store.load(ALICE, "op")
    assert started is not None
    assert (started.snapshot, started.updated_at) == (None, T0)

    later = T0 + timedelta(seconds=3)
    await store.save(ALICE, "op", ProgressSnapshot(40, 100), later)
    reported = await store.load(ALICE, "op")
    assert reported is not None
    assert (reported.snapshot, reported.updated_at) == (ProgressSnapshot(40, 100), later)
    assert await store.load(BOB, "op") is None


async def test_an_unfinished_id_is_in_use_a_finished_one_is_replaced(
    clean_database: AsyncEngine,
) -> None:
    store = SqlProgressStore(clean_database)
    await claim(store, ALICE, "op")
    assert await claim(store, ALICE, "op") is ProgressClaim.IN_USE
    assert await claim(store, BOB, "op") is ProgressClaim.CLAIMED

    await store.save(ALICE, "op", ProgressSnapshot(5, 5, finished=True), T0)
    assert await claim(store, ALICE, "op") is ProgressClaim.CLAIMED
    again = await store.load(ALICE, "op")
    assert again is not None
    assert again.snapshot is None


async def test_two_workers_claiming_one_id_at_once_get_it_once(
    clean_database: AsyncEngine,
) -> None:
    store = SqlProgressStore(clean_database)
    claims = await asyncio.gather(*(claim(store, ALICE, "op") for _ in range(6)))
    assert sorted(c.value for c in claims) == ["CLAIMED"] + ["IN_USE"] * 5


async def test_a_caller_has_a_bounded_number_of_unfinished_runs(
    clean_database: AsyncEngine,
) -> None:
    store = SqlProgressStore(clean_database)
    assert await claim(store, ALICE, "a1") is ProgressClaim.CLAIMED
    assert await claim(store, ALICE, "a2") is ProgressClaim.CLAIMED
    assert await claim(store, ALICE, "a3") is ProgressClaim.LIMIT_REACHED
    assert await store.load(ALICE, "a3") is None  # the refused claim left nothing
    assert await claim(store, BOB, "b1") is ProgressClaim.CLAIMED

    await store.save(ALICE, "a1", ProgressSnapshot(1, 1, finished=True), T0)
    assert await claim(store, ALICE, "a3") is ProgressClaim.CLAIMED


async def test_old_and_abandoned_runs_are_forgotten_at_the_next_claim(
    clean_database: AsyncEngine,
) -> None:
    store = SqlProgressStore(clean_database)
    await claim(store, ALICE, "finished")
    await store.save(ALICE, "finished", ProgressSnapshot(1, 1, finished=True), T0)
    await claim(store, ALICE, "abandoned")
    await claim(store, BOB, "recent", now=T0 + RETAIN)

    later = T0 + RETAIN + timedelta(seconds=1)
    assert await claim(store, ALICE, "abandoned", now=later) is ProgressClaim.CLAIMED
    assert await store.load(ALICE, "finished") is None
    assert await store.load(BOB, "recent") is not None
    reclaimed = await store.load(ALICE, "abandoned")
    assert reclaimed is not None
    assert reclaimed.updated_at == later

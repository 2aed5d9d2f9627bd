"""The token buckets of the query cost budgets, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.cost_budgets import Bucket, SqlCostBudgets
from persistence.database import create_engine, is_postgresql

T0 = 1_800_000_000.0


async def test_a_new_caller_starts_full_and_pays(clean_database: AsyncEngine) -> None:
    store = SqlCostBudgets(clean_database)
    assert await store.spend("a", 30, T0, capacity=100, refill_per_second=2) == Bucket(70, True)
    assert await store.spend("a", 30, T0, 100, 2) == Bucket(40, True)
    assert await store.spend("b", 100, T0, 100, 2) == Bucket(0, True)


async def test_over_budget_nothing_is_taken_and_time_refills_up_to_the_capacity(
    clean_database: AsyncEngine,
) -> None:
    store = SqlCostBudgets(clean_database)
    await store.spend("a", 90, T0, 100, 2)
    assert await store.spend("a", 20, T0 + 1, 100, 2) == Bucket(12, False)
    assert await store.spend("a", 20, T0 + 5, 100, 2) == Bucket(0, True)  # 12 + 8 = 20
    assert await store.spend("a", 1, T0 + 3600, 100, 2) == Bucket(99, True)


async def test_a_clock_that_went_back_refills_nothing(clean_database: AsyncEngine) -> None:
    """Hosts of one deployment may disagree a little about the time."""
    store = SqlCostBudgets(clean_database)
    await store.spend("a", 50, T0, 100, 1)
    assert await store.spend("a", 10, T0 - 30, 100, 1) == Bucket(40, True)
    # Nor does the time gone back count twice when the clock catches up.
    assert await store.spend("a", 10, T0 + 10, 100, 1) == Bucket(40, True)


async def test_concurrent_requests_of_several_processes_never_spend_a_point_twice(
    clean_database: AsyncEngine, database_url: str
) -> None:
    """Two engines (two worker processes), 30 requests of 10 points at the same moment,
    a budget of 100 that does not refill meanwhile: exactly 10 are granted."""
    other = create_engine(database_url)
    try:
        stores = [SqlCostBudgets(clean_database), SqlCostBudgets(other)]
        buckets = await asyncio.gather(
            *(stores[n % 2].spend("a", 10, T0, 100, 1e-9) for n in range(30))
        )
    finally:
        await other.dispose()
    assert sum(b.granted for b in buckets) == 10
    assert sorted(round(b.tokens) for b in buckets if b.granted) == list(range(0, 100, 10))


async def test_full_budgets_are_forgotten(clean_database: AsyncEngine) -> None:
    store = SqlCostBudgets(clean_database)
    await store.spend("old", 10, T0, 100, 1)
    await store.spend("new", 10, T0 + 200, 100, 1)
    assert await store.purge(refilled_before=T0 + 100) == 1
    assert await store.tokens("old") is None
    assert await store.tokens("new") == 90


async def test_on_postgresql_the_budgets_write_no_log(
    clean_database: AsyncEngine, database_url: str
) -> None:
    if not is_postgresql(database_url):
        pytest.skip("unlogged tables are PostgreSQL's")
    async with clean_database.connect() as connection:
        persistence = await connection.scalar(
            text("SELECT relpersistence::text FROM pg_class WHERE relname = 'cost_budgets'")
        )
    assert persistence == "u"  # a request's spending needs no WAL flush at commit

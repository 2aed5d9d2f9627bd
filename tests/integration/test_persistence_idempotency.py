"""The store behind Idempotency-Key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.idempotency import SqlIdempotencyStore

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


async def test_a_key_is_claimed_once_and_then_holds_its_answer(
    clean_database: AsyncEngine,
) -> None:
    store = SqlIdempotencyStore(clean_database)
    assert await store.claim("caller", "k", "h", T0, T0 - DAY, T0 - timedelta(minutes=15)) is None
    pending = await store.claim("caller", "k", "h", T0, T0 - DAY, T0 - timedelta(minutes=15))
    assert pending is not None
    assert pending.status_code is None

    await store.complete("caller", "k", 200, "application/json", '{"data": {}}')
    done = await store.claim("caller", "k", "h", T0, T0 - DAY, T0 - timedelta(minutes=15))
    assert done is not None
    assert (done.status_code, done.response) == (200, '{"data": {}}')


async def test_an_abandoned_first_request_frees_its_key(clean_database: AsyncEngine) -> None:
    store = SqlIdempotencyStore(clean_database)
    await store.claim("caller", "k", "h", T0, T0 - DAY, T0 - timedelta(minutes=15))
    later = T0 + timedelta(minutes=20)
    assert (
        await store.claim("caller", "k", "h", later, later - DAY, later - timedelta(minutes=15))
        is None
    )
    # Another body under the same key is still refused, not taken over.
    other = await store.claim("caller", "k", "other", later, later - DAY, later)
    assert other is not None
    assert other.request_hash == "h"

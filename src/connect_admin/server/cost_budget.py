"""The query cost budgets of the callers, in the database (gql/cost.py says what they are).

A token bucket per session or API token: ``capacity`` points, refilled by
``refill_per_second``. Kept in the database, so that every worker process and
host of a deployment draws on the same budget. Each process forgets the
buckets that are full again now and then (``PURGE_EVERY``).
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

from connect_admin.domain.ports import Clock
from connect_admin.gql.cost import Grant
from connect_admin.persistence.cost_budgets import SqlCostBudgets

logger = logging.getLogger(__name__)

PURGE_EVERY = timedelta(minutes=10)


class DatabaseCostBudget:
    """Implements :class:`connect_admin.gql.cost.CostBudget`."""

    def __init__(
        self, store: SqlCostBudgets, clock: Clock, *, capacity: int, refill_per_second: float
    ) -> None:
        if capacity < 1 or refill_per_second <= 0:
            raise ValueError("a budget needs a capacity and a refill rate above 0")
        self._store = store
        self._clock = clock
        self.capacity = capacity
        self.refill_per_second = refill_per_second
        self._next_purge: datetime | None = None

    async def spend(self, caller: str, cost: int) -> Grant:
        now = self._clock.now()
        bucket = await self._store.spend(
            caller, cost, now.timestamp(), self.capacity, self.refill_per_second
        )
        await self._purge_now_and_then(now)
        tokens = min(max(bucket.tokens, 0.0), float(self.capacity))
        rate = self.refill_per_second
        missing = 0.0 if bucket.granted else cost - tokens
        return Grant(
            granted=bucket.granted,
            cost=cost,
            remaining=math.floor(tokens),
            capacity=self.capacity,
            refill_per_second=rate,
            full_at=now + timedelta(seconds=(self.capacity - tokens) / rate),
            retry_after=max(1, math.ceil(missing / rate)) if missing > 0 else 0,
        )

    async def _purge_now_and_then(self, now: datetime) -> None:
        if self._next_purge is not None and now < self._next_purge:
            return
        self._next_purge = now + PURGE_EVERY
        refill_time = self.capacity / self.refill_per_second
        try:
            await self._store.purge(now.timestamp() - refill_time)
        except Exception:
            # Bookkeeping: a failed purge is tried again later and harms no request.
            logger.warning("purging the full cost budgets failed", exc_info=True)

"""The query cost budgets of the callers, in the database (gql/limits/budget.py says what they are).

A token bucket per session or API token: ``capacity`` points, refilled by
``refill_per_second``. Kept in the database, so that every worker process and
host of a deployment draws on the same budget. Each process forgets the
buckets that are full again now and then (``PURGE_EVERY``).

A process takes ``reserve`` points more than an operation costs when it goes
to the database, and pays the caller's next operations from them without a
write: a users page then costs a budget write once every dozen pages, not
every time. The database never hands out more than the budget holds, so a
caller still cannot spend more than its capacity across all processes; what
a process holds and does not spend within ``RESERVE_FOR`` is given up, so at
most ``reserve`` points per process sit unused for that long.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.ports import Clock
from gql.limits import Grant
from persistence.cost_budgets import Bucket, SqlCostBudgets

logger = logging.getLogger("connect_admin.adapters.cost_budget")

PURGE_EVERY = timedelta(minutes=10)
RESERVE_FOR = timedelta(minutes=1)


@dataclass
class _Reserve:
    # Taken from the caller's budget for this process, not spent yet.
    points: float
    # What the database held after they were taken.
    stored: float
    # Unspent points are given up then.
    until: datetime


class DatabaseCostBudget:
    """Implements :class:`gql.limits.budget.CostBudget`."""

    def __init__(
        self,
        store: SqlCostBudgets,
        clock: Clock,
        *,
        capacity: int,
        refill_per_second: float,
        reserve: int = 0,
    ) -> None:
        if capacity < 1 or refill_per_second <= 0:
            raise ValueError("a budget needs a capacity and a refill rate above 0")
        self._store = store
        self._clock = clock
        self.capacity = capacity
        self.refill_per_second = refill_per_second
        self.reserve = max(0, min(reserve, capacity // 10))
        self._reserves: dict[str, _Reserve] = {}
        self._next_purge: datetime | None = None

    async def spend(self, caller: str, cost: int) -> Grant:
        now = self._clock.now()
        held = self._reserves.pop(caller, None)
        if held is not None and now >= held.until:
            held = None
        if held is not None and held.points >= cost:
            # No await between the check and the spending: no other request of this
            # process can spend the same points.
            held.points -= cost
            self._reserves[caller] = held
            return self._grant(True, cost, held.stored + held.points, now)
        # Taken out of the dictionary while the database is asked: no other request
        # of this process can spend these points meanwhile.
        from_reserve = held.points if held is not None else 0.0
        due = cost - from_reserve
        if self.reserve:
            bucket = await self._spend(caller, due + self.reserve, now)
            if bucket.granted:
                self._reserves[caller] = _Reserve(
                    float(self.reserve), bucket.tokens, now + RESERVE_FOR
                )
                return self._grant(True, cost, bucket.tokens + self.reserve, now)
        bucket = await self._spend(caller, due, now)
        if not bucket.granted and held is not None:
            # Refused: what this process held stays its own.
            self._reserves.setdefault(caller, held)
        left = bucket.tokens + (0.0 if bucket.granted else from_reserve)
        return self._grant(bucket.granted, cost, left, now)

    async def _spend(self, caller: str, points: float, now: datetime) -> Bucket:
        bucket = await self._store.spend(
            caller, points, now.timestamp(), self.capacity, self.refill_per_second
        )
        await self._purge_now_and_then(now)
        return bucket

    def _grant(self, granted: bool, cost: int, tokens: float, now: datetime) -> Grant:
        tokens = min(max(tokens, 0.0), float(self.capacity))
        rate = self.refill_per_second
        missing = 0.0 if granted else cost - tokens
        return Grant(
            granted=granted,
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
        for caller in [c for c, held in self._reserves.items() if now >= held.until]:
            del self._reserves[caller]
        refill_time = self.capacity / self.refill_per_second
        try:
            await self._store.purge(now.timestamp() - refill_time)
        except Exception:
            # Bookkeeping: a failed purge is tried again later and harms no request.
            logger.warning("purging the full cost budgets failed", exc_info=True)

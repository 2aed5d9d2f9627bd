"""The query cost budgets of the callers, in the database (gql/limits/budget.py says what they are).

A token bucket per session or API token: ``capacity`` points, refilled by
``refill_per_second``. Kept in the database, so that every worker process and
host of a deployment draws on the same budget. Each process forgets the
buckets that are full again now and then (``PURGE_EVERY``).

A process takes ``reserve`` points more than an operation costs when it goes
to the database, and pays the caller's next operations from them without a
write: a users page then costs a budget write once every dozen pages, not
every time. The database never hands out more than the budget holds, so a
caller still cannot spend more than its capacity across all processes.

Concurrent requests of one caller in one process each may go to the database
while another's reserve is on its way back: what each takes is added to what
the process holds, never put in its place, and a request the database refuses
gives back what it had taken from the reserve. So no point is lost: what the
database holds plus what the processes hold is the capacity less what the
operations cost (and plus the refill). A reserve not spent within
``RESERVE_FOR`` is settled at the caller's next operation: it pays that
operation first, and what it does not cover is taken from the database.
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
        # The lowest the database answered for each caller, and when (see _observe).
        self._latest: dict[str, tuple[float, datetime]] = {}
        self._next_purge: datetime | None = None

    async def spend(self, caller: str, cost: int) -> Grant:
        now = self._clock.now()
        held = self._reserves.pop(caller, None)
        if held is not None and held.points >= cost and now < held.until:
            # No await between the check and the spending: no other request of this
            # process can spend the same points.
            held.points -= cost
            self._reserves[caller] = held
            return self._grant(True, cost, self._stored(caller, now) + held.points, now)
        # Taken out of the dictionary while the database is asked: no other request
        # of this process can spend these points meanwhile. An expired reserve still
        # holds points taken from the database: they pay first.
        from_reserve = held.points if held is not None else 0.0
        due = cost - from_reserve
        if self.reserve:
            bucket = await self._spend(caller, due + self.reserve, now)
            if bucket.granted:
                stored = self._observe(caller, bucket.tokens, now)
                kept = self._keep(caller, float(self.reserve), now + RESERVE_FOR)
                return self._grant(True, cost, stored + kept.points, now)
        bucket = await self._spend(caller, due, now)
        stored = self._observe(caller, bucket.tokens, now)
        if bucket.granted:
            return self._grant(True, cost, stored + self._held(caller), now)
        if held is not None:
            # Refused: what this process held stays its own.
            self._keep(caller, held.points, held.until)
        return self._grant(False, cost, stored + self._held(caller), now)

    def _observe(self, caller: str, tokens: float, now: datetime) -> float:
        """What the database holds for the caller now, as best this process knows.

        Concurrent requests' answers come back in any order: one that went first
        may answer last, with more points than the database holds since. Between
        two answers the budget only refills (every process only spends), so the
        lower of this answer and the last one plus the refill since is the later
        state."""
        if caller in self._latest:
            tokens = min(tokens, self._stored(caller, now))
        self._latest[caller] = (tokens, now)
        return tokens

    def _stored(self, caller: str, now: datetime) -> float:
        """The last state of the database observed, refilled up to now."""
        before, at = self._latest.get(caller, (float(self.capacity), now))
        grown = before + max(0.0, (now - at).total_seconds()) * self.refill_per_second
        return min(grown, float(self.capacity))

    def _keep(self, caller: str, points: float, until: datetime) -> _Reserve:
        """Adds points to what the process holds for the caller: another request may
        have put a reserve there meanwhile, and neither may be lost."""
        held = self._reserves.get(caller)
        if held is None:
            held = self._reserves[caller] = _Reserve(points, until)
        else:
            held.points += points
            held.until = min(held.until, until)
        return held

    def _held(self, caller: str) -> float:
        held = self._reserves.get(caller)
        return held.points if held is not None else 0.0

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
        refill_time = self.capacity / self.refill_per_second
        # A reserve unused for a whole refill: the caller's budget is full anyway.
        forgotten = now - timedelta(seconds=refill_time)
        for caller in [c for c, held in self._reserves.items() if forgotten >= held.until]:
            del self._reserves[caller]
        for caller in [c for c, (_, at) in self._latest.items() if forgotten >= at]:
            del self._latest[caller]
        try:
            await self._store.purge(now.timestamp() - refill_time)
        except Exception:
            # Bookkeeping: a failed purge is tried again later and harms no request.
            logger.warning("purging the full cost budgets failed", exc_info=True)

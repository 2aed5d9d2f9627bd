"""The callers' query cost budgets: one token bucket row per caller.

Spending is one statement, an upsert that refills the bucket for the time
passed, takes the cost if the bucket holds it, and returns what is left: the
same on SQLite and PostgreSQL, atomic on both, so concurrent requests of one
caller on any number of processes never spend the same points twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Float, case, delete, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from connect_admin.persistence.database import SINGLE_STATEMENT_OPTION
from connect_admin.persistence.tables import cost_budgets

B = cost_budgets.c


@dataclass(frozen=True)
class Bucket:
    # Points left after this request (after paying, when granted).
    tokens: float
    granted: bool


def _number(value: float) -> ColumnElement[float]:
    return literal(float(value), Float())


class SqlCostBudgets:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._insert: Any = (
            postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        )
        # One statement, without BEGIN and COMMIT round trips around it.
        self._options: dict[str, Any] = (
            {"isolation_level": "AUTOCOMMIT"}
            if engine.dialect.name == "postgresql"
            else {SINGLE_STATEMENT_OPTION: True}
        )

    async def spend(
        self, caller: str, cost: float, now: float, capacity: float, refill_per_second: float
    ) -> Bucket:
        """Refills the caller's bucket up to ``now`` (``capacity`` at most; a clock that
        went back refills nothing), then takes ``cost`` if it is there. A caller seen
        for the first time starts full. ``now`` in seconds since the epoch."""
        at, price, full, rate = (_number(v) for v in (now, cost, capacity, refill_per_second))
        elapsed = case((at > B.refilled_at, at - B.refilled_at), else_=_number(0))
        grown = B.tokens + elapsed * rate
        refilled = case((grown < full, grown), else_=full)
        enough = refilled >= price
        statement = (
            self._insert(cost_budgets)
            .values(
                caller=caller,
                tokens=capacity - cost if capacity >= cost else capacity,
                refilled_at=now,
                granted=capacity >= cost,
            )
            .on_conflict_do_update(
                index_elements=[B.caller],
                set_={
                    # Every expression sees the row as it was before this statement.
                    "tokens": case((enough, refilled - price), else_=refilled),
                    "refilled_at": case((at > B.refilled_at, at), else_=B.refilled_at),
                    "granted": enough,
                },
            )
            .returning(B.tokens, B.granted)
        )
        async with self._engine.connect() as conn:
            await conn.execution_options(**self._options)
            row = (await conn.execute(statement)).one()
            await conn.commit()
        return Bucket(tokens=float(row.tokens), granted=bool(row.granted))

    async def purge(self, refilled_before: float) -> int:
        """Forgets the buckets not used since ``refilled_before``: full again, they are
        the same as none."""
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(cost_budgets).where(B.refilled_at < refilled_before))
        return int(result.rowcount or 0)

    async def tokens(self, caller: str) -> float | None:
        """The points stored for the caller (tests and diagnostics); None: no bucket."""
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(cost_budgets.select().where(B.caller == caller))
            ).one_or_none()
        return None if row is None else float(row.tokens)

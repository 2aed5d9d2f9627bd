"""The callers' query cost budgets: one token bucket row per caller.

Spending is one statement, an upsert that refills the bucket for the time
passed, takes the cost if the bucket holds it, and returns what is left: the
same on SQLite and PostgreSQL, atomic on both, so concurrent requests of one
caller on any number of processes never spend the same points twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Float, String, bindparam, case, delete, literal
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.database import SINGLE_STATEMENT_OPTION
from persistence.tables import cost_budgets
from persistence.upsert import upsert_into


@dataclass(frozen=True)
class Bucket:
    # Points left after this request (after paying, when granted).
    tokens: float
    granted: bool


def _spend_statement(dialect: str) -> Any:
    """The upsert, built once: its values are bound parameters."""
    at, price, full, rate, fresh, fresh_granted = (
        bindparam(name, type_=type_)
        for name, type_ in (
            ("now", Float()),
            ("cost", Float()),
            ("capacity", Float()),
            ("rate", Float()),
            ("fresh_tokens", Float()),
            ("fresh_granted", Boolean()),
        )
    )
    elapsed = case(
        (at > cost_budgets.c.refilled_at, at - cost_budgets.c.refilled_at),
        else_=literal(0.0, Float()),
    )
    grown = cost_budgets.c.tokens + elapsed * rate
    refilled = case((grown < full, grown), else_=full)
    enough = refilled >= price
    return (
        upsert_into(dialect, cost_budgets)
        .values(
            caller=bindparam("caller", type_=String()),
            tokens=fresh,
            refilled_at=at,
            granted=fresh_granted,
        )
        .on_conflict_do_update(
            index_elements=[cost_budgets.c.caller],
            set_={
                # Every expression sees the row as it was before this statement.
                # A negative cost gives points back (a process's unspent reserve),
                # never beyond the capacity.
                "tokens": case(
                    (enough & (refilled - price > full), full),
                    (enough, refilled - price),
                    else_=refilled,
                ),
                "refilled_at": case(
                    (at > cost_budgets.c.refilled_at, at), else_=cost_budgets.c.refilled_at
                ),
                "granted": enough,
            },
        )
        .returning(cost_budgets.c.tokens, cost_budgets.c.granted)
    )


class SqlCostBudgets:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        dialect = engine.dialect.name
        self._statement = _spend_statement(dialect)
        # One statement, without BEGIN and COMMIT round trips around it.
        self._options: dict[str, Any] = (
            {"isolation_level": "AUTOCOMMIT"}
            if dialect == "postgresql"
            else {SINGLE_STATEMENT_OPTION: True}
        )

    async def spend(
        self, caller: str, cost: float, now: float, capacity: float, refill_per_second: float
    ) -> Bucket:
        """Refills the caller's bucket up to ``now`` (``capacity`` at most; a clock that
        went back refills nothing), then takes ``cost`` if it is there. A caller seen
        for the first time starts full. ``now`` in seconds since the epoch."""
        parameters = {
            "caller": caller,
            "now": float(now),
            "cost": float(cost),
            "capacity": float(capacity),
            "rate": float(refill_per_second),
            "fresh_tokens": float(min(capacity, capacity - cost) if capacity >= cost else capacity),
            "fresh_granted": capacity >= cost,
        }
        async with self._engine.connect() as conn:
            await conn.execution_options(**self._options)
            row = (await conn.execute(self._statement, parameters)).one()
            await conn.commit()
        return Bucket(tokens=float(row.tokens), granted=bool(row.granted))

    async def purge(self, refilled_before: float) -> int:
        """Forgets the buckets not used since ``refilled_before``: full again, they are
        the same as none."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                delete(cost_budgets).where(cost_budgets.c.refilled_at < refilled_before)
            )
        return int(result.rowcount or 0)

    async def tokens(self, caller: str) -> float | None:
        """The points stored for the caller (tests and diagnostics); None: no bucket."""
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(cost_budgets.select().where(cost_budgets.c.caller == caller))
            ).one_or_none()
        return None if row is None else float(row.tokens)

"""The progress of long operations in the database: every worker process sees it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, not_, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.ports import (
    FinishedRun,
    ProgressClaim,
    ProgressKey,
    ProgressSnapshot,
    StoredProgress,
)
from persistence.database import read_only
from persistence.tables import operation_progress
from persistence.upsert import upsert_into

P = operation_progress.c
# PostgreSQL advisory locks of progress claims: (this namespace, the caller's id).
_LOCK_CALLER = text("SELECT pg_advisory_xact_lock(:namespace, :caller)")
_LOCK_NAMESPACE = 0x50524F47  # "PROG"


class SqlProgressStore:
    """Implements :class:`domain.ports.ProgressStore`; each call is one
    short transaction of its own, never part of the operation's."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def claim(
        self,
        key: ProgressKey,
        run_id: str,
        *,
        now: datetime,
        forget_before: datetime,
        max_unfinished: int,
    ) -> ProgressClaim:
        caller, _ = key
        async with self._engine.connect() as conn, conn.begin() as transaction:
            if conn.dialect.name == "postgresql":
                # One claim of a caller at a time, or concurrent claims of different
                # ids would each count only their own insert against the limit
                # (SQLite's writers are one at a time anyway: BEGIN IMMEDIATE).
                await conn.execute(_LOCK_CALLER, {"namespace": _LOCK_NAMESPACE, "caller": caller})
            await conn.execute(delete(operation_progress).where(P.updated_at < forget_before))
            if not await _insert_or_replace_finished(conn, key, run_id, now):
                return ProgressClaim.IN_USE
            unfinished = await conn.scalar(
                select(func.count()).where(P.caller_id == caller, not_(P.finished))
            )
            if (unfinished or 0) > max_unfinished:
                await transaction.rollback()
                return ProgressClaim.LIMIT_REACHED
        return ProgressClaim.CLAIMED

    async def save(
        self, key: ProgressKey, run_id: str, snapshot: ProgressSnapshot | None, now: datetime
    ) -> bool:
        values: dict[str, Any] = {"updated_at": now}
        if snapshot is not None:
            values.update(done=snapshot.done, total=snapshot.total, finished=snapshot.finished)
        caller, operation_id = key
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(operation_progress)
                .where(
                    P.caller_id == caller,
                    P.operation_id == operation_id,
                    # A late report of a run whose id was claimed again changes nothing.
                    P.run_id == run_id,
                    not_(P.finished),
                )
                .values(values)
            )
        return bool(result.rowcount)

    async def load_many(self, keys: Iterable[ProgressKey]) -> dict[ProgressKey, StoredProgress]:
        wanted = list(keys)
        if not wanted:
            return {}
        async with read_only(self._engine) as conn:
            rows = await conn.execute(
                select(
                    P.caller_id, P.operation_id, P.run_id, P.done, P.total, P.finished,
                    P.updated_at, P.previous_run_id, P.previous_done, P.previous_total,
                ).where(tuple_(P.caller_id, P.operation_id).in_(wanted))
            )  # fmt: skip
            return {(row.caller_id, row.operation_id): _stored(row) for row in rows}


async def _insert_or_replace_finished(
    conn: AsyncConnection, key: ProgressKey, run_id: str, now: datetime
) -> bool:
    """One statement, atomic on both backends: a new record, or one that replaces a
    finished run's; False when the key holds an unfinished run."""
    caller, operation_id = key
    started = {
        "run_id": run_id, "done": None, "total": None, "finished": False, "updated_at": now,
    }  # fmt: skip
    insert = upsert_into(conn.dialect.name, operation_progress).values(
        caller_id=caller, operation_id=operation_id, **started
    )
    # The replaced run's result stays beside the new run: its subscribers on
    # other processes may not have seen its end yet.
    replaced = {"previous_run_id": P.run_id, "previous_done": P.done, "previous_total": P.total}
    statement = insert.on_conflict_do_update(
        index_elements=[P.caller_id, P.operation_id], set_={**started, **replaced}, where=P.finished
    ).returning(P.caller_id)
    return (await conn.execute(statement)).first() is not None


def _stored(row: Any) -> StoredProgress:
    snapshot = None
    if row.done is not None and row.total is not None:
        snapshot = ProgressSnapshot(done=row.done, total=row.total, finished=row.finished)
    previous = None
    if row.previous_run_id is not None:
        previous = FinishedRun(
            row.previous_run_id,
            ProgressSnapshot(done=row.previous_done, total=row.previous_total, finished=True),
        )
    return StoredProgress(
        run_id=row.run_id, snapshot=snapshot, updated_at=row.updated_at, previous=previous
    )

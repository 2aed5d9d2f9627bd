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

# PostgreSQL advisory locks of progress claims: (this namespace, the caller's id).
_LOCK_CALLER = text("SELECT pg_advisory_xact_lock(:namespace, :caller)")
_LOCK_NAMESPACE = 0x50524F47  # "PROG"
_STORED_COLUMNS = tuple(
    operation_progress.c[name]
    for name in ("caller_id", "operation_id", "run_id", "done", "total", "finished", "updated_at",
                 "previous_run_id", "previous_done", "previous_total")
)  # fmt: skip


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
            await conn.execute(
                delete(operation_progress).where(operation_progress.c.updated_at < forget_before)
            )
            if not await _insert_or_replace_finished(conn, key, run_id, now):
                return ProgressClaim.IN_USE
            unfinished = await conn.scalar(
                select(func.count()).where(
                    operation_progress.c.caller_id == caller, not_(operation_progress.c.finished)
                )
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
                    operation_progress.c.caller_id == caller,
                    operation_progress.c.operation_id == operation_id,
                    # A late report of a run whose id was claimed again changes nothing.
                    operation_progress.c.run_id == run_id,
                    not_(operation_progress.c.finished),
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
                select(*_STORED_COLUMNS).where(
                    tuple_(operation_progress.c.caller_id, operation_progress.c.operation_id).in_(
                        wanted
                    )
                )
            )
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
    replaced = {
        "previous_run_id": operation_progress.c.run_id,
        "previous_done": operation_progress.c.done,
        "previous_total": operation_progress.c.total,
    }
    statement = insert.on_conflict_do_update(
        index_elements=[operation_progress.c.caller_id, operation_progress.c.operation_id],
        set_={**started, **replaced},
        where=operation_progress.c.finished,
    ).returning(operation_progress.c.caller_id)
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

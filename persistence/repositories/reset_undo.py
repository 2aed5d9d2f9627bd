"""What resets removed or overwrote, kept for undoReset."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, select, update

from domain.model import ResetUndoRecord
from persistence.repositories._base import Executor, distinct_ids, from_row, row_values
from persistence.tables import reset_undo_records


def _record(row: Row[Any]) -> ResetUndoRecord:
    return from_row(ResetUndoRecord, row, kept=dict(row.kept or {}))


class SqlResetUndoRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def add_many(self, records: Sequence[ResetUndoRecord]) -> None:
        rows = [row_values(r, reset_undo_records, kept=dict(r.kept)) for r in records]
        await self._ex.insert_many(reset_undo_records, rows)

    async def users_of(self, reset_id: str) -> list[int]:
        stmt = (
            select(reset_undo_records.c.user_id)
            .where(reset_undo_records.c.reset_id == reset_id)
            .distinct()
            .order_by(reset_undo_records.c.user_id)
        )
        return [row.user_id for row in await self._ex.execute(stmt)]

    async def for_users(
        self, reset_id: str, user_ids: Iterable[int], *, for_update: bool = False
    ) -> list[ResetUndoRecord]:
        wanted = distinct_ids(user_ids)
        if not wanted:
            return []
        stmt = (
            select(reset_undo_records)
            .where(
                reset_undo_records.c.reset_id == reset_id, reset_undo_records.c.user_id.in_(wanted)
            )
            .order_by(reset_undo_records.c.id)
        )
        if for_update:
            stmt = stmt.with_for_update()
        return [_record(row) for row in await self._ex.execute(stmt)]

    async def mark_undone(self, record_ids: Iterable[int], at: datetime, by: str) -> None:
        wanted = distinct_ids(record_ids)
        if wanted:
            await self._ex.execute(
                update(reset_undo_records)
                .where(reset_undo_records.c.id.in_(wanted))
                .values(undone_at=at, undone_by=by)
            )

    async def purge_expired(self, now: datetime) -> int:
        result = await self._ex.execute(
            delete(reset_undo_records).where(reset_undo_records.c.expires_at <= now)
        )
        return int(result.rowcount)

"""The progress of long operations in the database: every worker process sees it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, func, not_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from connect_admin.domain.ports import ProgressClaim, ProgressSnapshot, StoredProgress
from connect_admin.persistence.database import READ_ONLY_OPTION
from connect_admin.persistence.tables import operation_progress

P = operation_progress.c


def _is_key(caller: int, operation_id: str) -> ColumnElement[bool]:
    return and_(P.caller_id == caller, P.operation_id == operation_id)


class SqlProgressStore:
    """Implements :class:`connect_admin.domain.ports.ProgressStore`; each call is one
    short transaction of its own, never part of the operation's."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def claim(
        self,
        caller: int,
        operation_id: str,
        *,
        now: datetime,
        forget_before: datetime,
        max_unfinished: int,
    ) -> ProgressClaim:
        async with self._engine.connect() as conn, conn.begin() as transaction:
            await conn.execute(delete(operation_progress).where(P.updated_at < forget_before))
            if not await self._insert_or_replace_finished(conn, caller, operation_id, now):
                return ProgressClaim.IN_USE
            unfinished = await conn.scalar(
                select(func.count()).where(P.caller_id == caller, not_(P.finished))
            )
            if (unfinished or 0) > max_unfinished:
                await transaction.rollback()
                return ProgressClaim.LIMIT_REACHED
        return ProgressClaim.CLAIMED

    @staticmethod
    async def _insert_or_replace_finished(
        conn: AsyncConnection, caller: int, operation_id: str, now: datetime
    ) -> bool:
        """One statement, atomic on both backends: a new record, or one that replaces
        a finished operation's; False when the key holds an unfinished one."""
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        started = {"done": None, "total": None, "finished": False, "updated_at": now}
        insert = dialect.insert(operation_progress).values(
            caller_id=caller, operation_id=operation_id, **started
        )
        statement = insert.on_conflict_do_update(
            index_elements=[P.caller_id, P.operation_id], set_=started, where=P.finished
        ).returning(P.caller_id)
        return (await conn.execute(statement)).first() is not None

    async def save(
        self, caller: int, operation_id: str, snapshot: ProgressSnapshot, now: datetime
    ) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(operation_progress)
                .where(_is_key(caller, operation_id))
                .values(
                    done=snapshot.done,
                    total=snapshot.total,
                    finished=snapshot.finished,
                    updated_at=now,
                )
            )

    async def load(self, caller: int, operation_id: str) -> StoredProgress | None:
        async with self._engine.connect() as conn:
            await conn.execution_options(**{READ_ONLY_OPTION: True})
            row = (
                await conn.execute(
                    select(P.done, P.total, P.finished, P.updated_at).where(
                        _is_key(caller, operation_id)
                    )
                )
            ).first()
        if row is None:
            return None
        snapshot = None
        if row.done is not None and row.total is not None:
            snapshot = ProgressSnapshot(done=row.done, total=row.total, finished=row.finished)
        return StoredProgress(snapshot=snapshot, updated_at=row.updated_at)

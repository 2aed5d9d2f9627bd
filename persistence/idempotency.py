"""Stored first responses for requests with an Idempotency-Key header."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.database import read_only
from persistence.tables import idempotency_keys


@dataclass(frozen=True)
class StoredRequest:
    request_hash: str
    # None while the first request still runs.
    status_code: int | None
    content_type: str | None
    response: str | None


class SqlIdempotencyStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def claim(
        self,
        scope: str,
        key: str,
        request_hash: str,
        now: datetime,
        forget_before: datetime,
        abandoned_before: datetime,
    ) -> StoredRequest | None:
        """None: the key is new (or its first request was abandoned: taken over) and
        now taken by this request. Else what it holds."""
        async with self._engine.begin() as conn:
            await conn.execute(
                delete(idempotency_keys).where(idempotency_keys.c.created_at < forget_before)
            )
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    insert(idempotency_keys).values(
                        scope=scope, key=key, request_hash=request_hash, created_at=now
                    )
                )
            return None
        except IntegrityError:
            if await self._take_over(scope, key, request_hash, now, abandoned_before):
                return None
            async with read_only(self._engine) as conn:
                row = (
                    await conn.execute(
                        select(
                            idempotency_keys.c.request_hash,
                            idempotency_keys.c.status_code,
                            idempotency_keys.c.content_type,
                            idempotency_keys.c.response,
                        ).where(
                            and_(idempotency_keys.c.scope == scope, idempotency_keys.c.key == key)
                        )
                    )
                ).one_or_none()
            if row is None:  # forgotten in between: let the caller try again
                return StoredRequest(request_hash, None, None, None)
            return StoredRequest(row.request_hash, row.status_code, row.content_type, row.response)

    async def _take_over(
        self, scope: str, key: str, request_hash: str, now: datetime, abandoned_before: datetime
    ) -> bool:
        """A first request that never finished (the process died) frees its key after a while."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(idempotency_keys)
                .where(
                    and_(
                        idempotency_keys.c.scope == scope,
                        idempotency_keys.c.key == key,
                        idempotency_keys.c.request_hash == request_hash,
                        idempotency_keys.c.status_code.is_(None),
                        idempotency_keys.c.created_at < abandoned_before,
                    )
                )
                .values(created_at=now)
            )
            return bool(result.rowcount)

    async def complete(
        self, scope: str, key: str, status_code: int, content_type: str, response: str
    ) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(idempotency_keys)
                .where(and_(idempotency_keys.c.scope == scope, idempotency_keys.c.key == key))
                .values(status_code=status_code, content_type=content_type, response=response)
            )

    async def release(self, scope: str, key: str) -> None:
        """Frees the key after a failure, so that a retry runs again."""
        async with self._engine.begin() as conn:
            await conn.execute(
                delete(idempotency_keys).where(
                    and_(idempotency_keys.c.scope == scope, idempotency_keys.c.key == key)
                )
            )

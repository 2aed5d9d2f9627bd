"""Failed sign-ins, per login and client address, and the lockouts they led to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select

from domain.model import SignInFailure, SignInLockout
from persistence.repositories._base import Executor
from persistence.tables import sign_in_failures, sign_in_lockouts
from persistence.upsert import upsert_into


class SqlSignInAttemptRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def record_failure(self, key: str, client: str, at: datetime) -> None:
        await self._ex.execute(insert(sign_in_failures).values(key=key, client=client, at=at))

    async def failures_since(self, key: str, since: datetime) -> list[SignInFailure]:
        stmt = (
            select(sign_in_failures.c.at, sign_in_failures.c.client)
            .where(sign_in_failures.c.key == key, sign_in_failures.c.at >= since)
            .order_by(sign_in_failures.c.at, sign_in_failures.c.id)
        )
        return [SignInFailure(at=at, client=client) for at, client in await self._ex.execute(stmt)]

    async def clear(self, key: str, client: str) -> None:
        await self._ex.execute(
            delete(sign_in_failures).where(
                sign_in_failures.c.key == key, sign_in_failures.c.client == client
            )
        )
        await self._ex.execute(
            delete(sign_in_lockouts).where(
                sign_in_lockouts.c.key == key, sign_in_lockouts.c.client == client
            )
        )

    async def lockout(self, key: str, client: str) -> SignInLockout | None:
        stmt = select(sign_in_lockouts).where(
            sign_in_lockouts.c.key == key, sign_in_lockouts.c.client == client
        )
        row = (await self._ex.execute(stmt)).one_or_none()
        if row is None:
            return None
        return SignInLockout(
            key=row.key,
            client=row.client,
            level=row.level,
            locked_at=row.locked_at,
            until=row.until,
        )

    async def put_lockout(self, lockout: SignInLockout) -> None:
        values = {
            "key": lockout.key,
            "client": lockout.client,
            "level": lockout.level,
            "locked_at": lockout.locked_at,
            "until": lockout.until,
        }
        stmt = (
            upsert_into(self._ex.dialect_name, sign_in_lockouts)
            .values(**values)
            .on_conflict_do_update(
                index_elements=[sign_in_lockouts.c.key, sign_in_lockouts.c.client],
                set_={name: values[name] for name in ("level", "locked_at", "until")},
            )
        )
        await self._ex.execute(stmt)

    async def unlock(self, key: str) -> int:
        await self._ex.execute(delete(sign_in_failures).where(sign_in_failures.c.key == key))
        result = await self._ex.execute(
            delete(sign_in_lockouts).where(sign_in_lockouts.c.key == key)
        )
        return int(result.rowcount or 0)

    async def lockouts_of(self, keys: Sequence[str]) -> list[SignInLockout]:
        if not keys:
            return []
        stmt = select(sign_in_lockouts).where(sign_in_lockouts.c.key.in_(list(keys)))
        return [
            SignInLockout(
                key=row.key,
                client=row.client,
                level=row.level,
                locked_at=row.locked_at,
                until=row.until,
            )
            for row in await self._ex.execute(stmt)
        ]

    async def unlock_many(self, keys: Sequence[str]) -> int:
        if not keys:
            return 0
        doomed = list(keys)
        await self._ex.execute(delete(sign_in_failures).where(sign_in_failures.c.key.in_(doomed)))
        result = await self._ex.execute(
            delete(sign_in_lockouts).where(sign_in_lockouts.c.key.in_(doomed))
        )
        return int(result.rowcount or 0)

    async def purge_before(self, at: datetime, lockouts_ended_before: datetime) -> int:
        result = await self._ex.execute(delete(sign_in_failures).where(sign_in_failures.c.at < at))
        await self._ex.execute(
            delete(sign_in_lockouts).where(sign_in_lockouts.c.until < lockouts_ended_before)
        )
        return int(result.rowcount or 0)

"""The password links (one per user, the newest)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update

from domain.password_link_model import PasswordLink
from persistence.repositories._base import Executor, from_row, row_values
from persistence.tables import password_links

REVOKED = "revoked"


class SqlPasswordLinkRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def replace_many(self, links: Sequence[PasswordLink]) -> None:
        if not links:
            return
        ids = [link.user_id for link in links]
        await self._ex.execute(delete(password_links).where(password_links.c.user_id.in_(ids)))
        rows = [{**row_values(link, password_links), "user_id": link.user_id} for link in links]
        await self._ex.insert_many(password_links, rows)

    async def by_token_hash(
        self, token_hash: str, *, for_update: bool = False
    ) -> PasswordLink | None:
        stmt = select(password_links).where(password_links.c.token_hash == token_hash)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self._ex.execute(stmt)).first()
        return None if row is None else from_row(PasswordLink, row)

    async def mark_used(self, user_id: int, at: datetime) -> None:
        await self._ex.execute(
            update(password_links).where(password_links.c.user_id == user_id).values(used_at=at)
        )

    async def expired_unused(self, now: datetime, limit: int = 1000) -> list[PasswordLink]:
        stmt = (
            select(password_links)
            .where(password_links.c.used_at.is_(None), password_links.c.expires_at <= now)
            .order_by(password_links.c.expires_at)
            .limit(limit)
        )
        rows = (await self._ex.execute(stmt)).all()
        return [from_row(PasswordLink, row) for row in rows]

    async def revoke(self, user_id: int) -> None:
        # No password hash has this SHA-256: the link's stamp never matches again.
        await self._ex.execute(
            update(password_links)
            .where(password_links.c.user_id == user_id)
            .values(password_stamp=REVOKED)
        )

"""Administrators' API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Row,
    select,
    update,
)

from domain.model import ApiToken
from persistence.repositories._base import Executor, from_row, row_values
from persistence.tables import (
    api_tokens,
)


def _token(row: Row[Any]) -> ApiToken:
    return from_row(ApiToken, row)


class SqlApiTokenRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def get(self, token_id: int) -> ApiToken | None:
        return await self._ex.first(select(api_tokens).where(api_tokens.c.id == token_id), _token)

    async def get_by_hash(self, token_hash: str) -> ApiToken | None:
        return await self._ex.first(
            select(api_tokens).where(api_tokens.c.token_hash == token_hash), _token
        )

    async def list(self, owner_id: int | None = None) -> list[ApiToken]:
        stmt = select(api_tokens).order_by(api_tokens.c.id)
        if owner_id is not None:
            stmt = stmt.where(api_tokens.c.owner_id == owner_id)
        return [_token(row) for row in await self._ex.execute(stmt)]

    async def add(self, token: ApiToken) -> ApiToken:
        token.id = await self._ex.insert_id(api_tokens, row_values(token, api_tokens))
        return token

    async def update(self, token: ApiToken) -> None:
        await self._ex.execute(
            update(api_tokens)
            .where(api_tokens.c.id == token.id)
            .values(row_values(token, api_tokens))
        )

    async def record_use(self, token_id: int, at: datetime) -> None:
        await self._ex.execute(
            update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=at)
        )

    async def revoke_all(self, owner_id: int, at: datetime) -> int:
        result = await self._ex.execute(
            update(api_tokens)
            .where(api_tokens.c.owner_id == owner_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return result.rowcount

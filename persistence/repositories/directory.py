"""Directory data sources."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row, select, update

from domain.model import DirectoryDataSource
from persistence.repositories._base import Executor, distinct_ids, from_row, row_values
from persistence.tables import directory_data_sources


def _source(row: Row[Any]) -> DirectoryDataSource:
    return from_row(DirectoryDataSource, row)


class SqlDirectoryDataSourceRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def get(self, source_id: int) -> DirectoryDataSource | None:
        return await self._ex.first(
            select(directory_data_sources).where(directory_data_sources.c.id == source_id), _source
        )

    async def get_many(self, ids: Iterable[int]) -> dict[int, DirectoryDataSource]:
        wanted = distinct_ids(ids)
        if not wanted:
            return {}
        result = await self._ex.execute(
            select(directory_data_sources).where(directory_data_sources.c.id.in_(wanted))
        )
        return {row.id: _source(row) for row in result}

    async def list(self) -> list[DirectoryDataSource]:
        stmt = select(directory_data_sources).order_by(
            directory_data_sources.c.name, directory_data_sources.c.id
        )
        return [_source(row) for row in await self._ex.execute(stmt)]

    async def add(self, source: DirectoryDataSource) -> DirectoryDataSource:
        values = row_values(source, directory_data_sources)
        source.id = await self._ex.insert_id(directory_data_sources, values)
        return source

    async def update(self, source: DirectoryDataSource) -> None:
        await self._ex.execute(
            update(directory_data_sources)
            .where(directory_data_sources.c.id == source.id)
            .values(row_values(source, directory_data_sources))
        )

    async def name_taken(self, name: str) -> bool:
        return await self._ex.exists(directory_data_sources.c.name == name)

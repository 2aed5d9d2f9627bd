"""The directory data sources."""

from __future__ import annotations

import strawberry

from domain.services import data_sources
from gql.context import Info
from gql.directory.types import DirectoryDataSource


@strawberry.type
class DirectoryQuery:
    @strawberry.field
    async def directory_data_sources(self, info: Info) -> list[DirectoryDataSource]:
        found = await data_sources.list_data_sources(info.context.deps(), info.context.principal)
        return [DirectoryDataSource.from_domain(s) for s in found]

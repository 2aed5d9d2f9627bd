"""Directory data sources: read, create, switch on and off."""

from __future__ import annotations

import strawberry

from gql.context import Info
from gql.directory.types import DirectoryDataSource
from gql.errors import UserError
from gql.ids import pk_of
from gql.payloads import Payload, payload_mutation


@strawberry.type
class DirectoryQuery:
    @strawberry.field
    async def directory_data_sources(self, info: Info) -> list[DirectoryDataSource]:
        found = await info.context.services().data_sources.list_data_sources(info.context.principal)
        return [DirectoryDataSource.from_domain(s) for s in found]


@strawberry.type
class DirectoryDataSourcePayload(Payload):
    directory_data_source: DirectoryDataSource | None
    errors: list[UserError]


@strawberry.type
class DirectoryMutation:
    @payload_mutation()
    async def create_directory_data_source(
        self, info: Info, name: str
    ) -> DirectoryDataSourcePayload:
        ctx = info.context
        source = await ctx.services().data_sources.create_data_source(ctx.principal, name)
        return DirectoryDataSourcePayload(
            directory_data_source=DirectoryDataSource.from_domain(source), errors=[]
        )

    @payload_mutation()
    async def set_directory_data_source_active(
        self, info: Info, id: strawberry.ID, active: bool
    ) -> DirectoryDataSourcePayload:
        ctx = info.context
        source = await ctx.services().data_sources.set_data_source_active(
            ctx.principal, pk_of(id, "DirectoryDataSource", "id"), active
        )
        return DirectoryDataSourcePayload(
            directory_data_source=DirectoryDataSource.from_domain(source), errors=[]
        )

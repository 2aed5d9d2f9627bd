"""Directory data sources: read, create, switch on and off."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gql.context import Info
from gql.directory.types import DirectoryDataSource
from gql.errors import UserError
from gql.ids import pk_of
from gql.payloads import PAYLOAD_ERRORS, Payload, payload_mutation


@strawberry.type
class DirectoryQuery:
    @strawberry.field(
        description="Every directory data source, by name. Administrators (or their API tokens)."
    )
    async def directory_data_sources(self, info: Info) -> list[DirectoryDataSource]:
        found = await info.context.services().data_sources.list_data_sources(info.context.principal)
        return [DirectoryDataSource.from_domain(s) for s in found]


@strawberry.type(description="The answer of a mutation of a directory data source.")
class DirectoryDataSourcePayload(Payload):
    directory_data_source: DirectoryDataSource | None = strawberry.field(
        description="The data source as stored; null on failure."
    )
    errors: list[UserError] = strawberry.field(description=PAYLOAD_ERRORS)


SYSTEM_ONLY = " System administrators (or their API tokens) only; others FORBIDDEN."


SourceName = Annotated[
    str,
    strawberry.argument(description="1 to 200 characters, unique (NAME_TAKEN)."),
]
SourceId = Annotated[strawberry.ID, strawberry.argument(description="The data source.")]
Active = Annotated[bool, strawberry.argument(description="True to activate, false to deactivate.")]


@strawberry.type
class DirectoryMutation:
    @payload_mutation(
        description="Adds a directory data source, active. A DATA_SOURCE_CREATED audit event."
        + SYSTEM_ONLY
        + " Errors: REQUIRED, VALUE_TOO_LONG, NAME_TAKEN."
    )
    async def create_directory_data_source(
        self, info: Info, name: SourceName
    ) -> DirectoryDataSourcePayload:
        ctx = info.context
        source = await ctx.services().data_sources.create_data_source(ctx.principal, name)
        return DirectoryDataSourcePayload(
            directory_data_source=DirectoryDataSource.from_domain(source), errors=[]
        )

    @payload_mutation(
        description="Activates or deactivates a data source (DATA_SOURCE_ACTIVATED or "
        "DATA_SOURCE_DEACTIVATED audit event). Deactivating removes no contact by itself: a "
        "reset with repairContactList does." + SYSTEM_ONLY + " Errors: "
        "DIRECTORY_DATA_SOURCE_NOT_FOUND."
    )
    async def set_directory_data_source_active(
        self, info: Info, id: SourceId, active: Active
    ) -> DirectoryDataSourcePayload:
        ctx = info.context
        source = await ctx.services().data_sources.set_data_source_active(
            ctx.principal, pk_of(id, "DirectoryDataSource", "id"), active
        )
        return DirectoryDataSourcePayload(
            directory_data_source=DirectoryDataSource.from_domain(source), errors=[]
        )

"""Locations and their configuration groups: read, create, change, delete."""

from __future__ import annotations

import strawberry

from gql.context import Info
from gql.errors import UserError
from gql.graph import ConfigurationGroup, Location
from gql.ids import pk_of
from gql.locations.inputs import (
    CreateConfigurationGroupInput,
    CreateLocationInput,
    UpdateLocationInput,
)
from gql.payloads import MutationResult, Payload, payload_mutation


@strawberry.type
class LocationsQuery:
    @strawberry.field
    async def locations(self, info: Info) -> list[Location]:
        found = await info.context.services().locations.list_locations(info.context.principal)
        return [Location.from_domain(loc) for loc in found]


@strawberry.type
class LocationPayload(Payload):
    location: Location | None
    errors: list[UserError]


@strawberry.type
class ConfigurationGroupPayload(Payload):
    configuration_group: ConfigurationGroup | None
    errors: list[UserError]


@strawberry.type
class LocationsMutation:
    @payload_mutation()
    async def create_location(self, info: Info, input: CreateLocationInput) -> LocationPayload:
        ctx = info.context
        location = await ctx.services().locations.create_location(ctx.principal, input.to_domain())
        return LocationPayload(location=Location.from_domain(location), errors=[])

    @payload_mutation()
    async def update_location(self, info: Info, input: UpdateLocationInput) -> LocationPayload:
        ctx = info.context
        location = await ctx.services().locations.update_location(ctx.principal, input.to_domain())
        return LocationPayload(location=Location.from_domain(location), errors=[])

    @payload_mutation(description="Refused while users or groups remain in it.")
    async def delete_location(self, info: Info, id: strawberry.ID) -> MutationResult:
        ctx = info.context
        await ctx.services().locations.delete_location(ctx.principal, pk_of(id, "Location", "id"))
        return MutationResult.done()

    @payload_mutation()
    async def create_configuration_group(
        self, info: Info, input: CreateConfigurationGroupInput
    ) -> ConfigurationGroupPayload:
        ctx = info.context
        group = await ctx.services().groups.create_group(ctx.principal, input.to_domain())
        return ConfigurationGroupPayload(
            configuration_group=ConfigurationGroup.from_domain(group), errors=[]
        )

    @payload_mutation()
    async def delete_configuration_group(self, info: Info, id: strawberry.ID) -> MutationResult:
        ctx = info.context
        await ctx.services().groups.delete_group(
            ctx.principal, pk_of(id, "ConfigurationGroup", "id")
        )
        return MutationResult.done()

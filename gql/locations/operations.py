"""Locations and their configuration groups: read, create, change, delete."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gql.context import Info
from gql.errors import UserError
from gql.ids import pk_of
from gql.locations import descriptions
from gql.locations.inputs import (
    CreateConfigurationGroupInput,
    CreateLocationInput,
    UpdateConfigurationGroupInput,
    UpdateLocationInput,
)
from gql.locations.types import ConfigurationGroup, Location
from gql.payloads import PAYLOAD_ERRORS, MutationResult, Payload, payload_mutation


@strawberry.type
class LocationsQuery:
    @strawberry.field(description=descriptions.LOCATIONS)
    async def locations(self, info: Info) -> list[Location]:
        found = await info.context.services().locations.list_locations(info.context.principal)
        return [Location.from_domain(loc) for loc in found]


@strawberry.type(description="The answer of a mutation of a location.")
class LocationPayload(Payload):
    location: Location | None = strawberry.field(
        description="The location as stored; null on failure."
    )
    errors: list[UserError] = strawberry.field(description=PAYLOAD_ERRORS)


@strawberry.type(description="The answer of createConfigurationGroup.")
class ConfigurationGroupPayload(Payload):
    configuration_group: ConfigurationGroup | None = strawberry.field(
        description="The group as stored; null on failure."
    )
    errors: list[UserError] = strawberry.field(description=PAYLOAD_ERRORS)


NewLocation = Annotated[CreateLocationInput, strawberry.argument(description="The location.")]
LocationChanges = Annotated[UpdateLocationInput, strawberry.argument(description="The changes.")]
LocationId = Annotated[strawberry.ID, strawberry.argument(description="The location to delete.")]
NewGroup = Annotated[CreateConfigurationGroupInput, strawberry.argument(description="The group.")]
GroupId = Annotated[strawberry.ID, strawberry.argument(description="The group to delete.")]
GroupChanges = Annotated[
    UpdateConfigurationGroupInput, strawberry.argument(description="The changes.")
]


@strawberry.type
class LocationsMutation:
    @payload_mutation(description=descriptions.CREATE_LOCATION)
    async def create_location(self, info: Info, input: NewLocation) -> LocationPayload:
        ctx = info.context
        location = await ctx.services().locations.create_location(ctx.principal, input.to_domain())
        return LocationPayload(location=Location.from_domain(location), errors=[])

    @payload_mutation(description=descriptions.UPDATE_LOCATION)
    async def update_location(self, info: Info, input: LocationChanges) -> LocationPayload:
        ctx = info.context
        location = await ctx.services().locations.update_location(ctx.principal, input.to_domain())
        return LocationPayload(location=Location.from_domain(location), errors=[])

    @payload_mutation(description=descriptions.DELETE_LOCATION)
    async def delete_location(self, info: Info, id: LocationId) -> MutationResult:
        ctx = info.context
        await ctx.services().locations.delete_location(ctx.principal, pk_of(id, "Location", "id"))
        return MutationResult.done()

    @payload_mutation(description=descriptions.CREATE_GROUP)
    async def create_configuration_group(
        self, info: Info, input: NewGroup
    ) -> ConfigurationGroupPayload:
        ctx = info.context
        group = await ctx.services().groups.create_group(ctx.principal, input.to_domain())
        return ConfigurationGroupPayload(
            configuration_group=ConfigurationGroup.from_domain(group), errors=[]
        )

    @payload_mutation(description=descriptions.UPDATE_GROUP)
    async def update_configuration_group(
        self, info: Info, input: GroupChanges
    ) -> ConfigurationGroupPayload:
        ctx = info.context
        group = await ctx.services().groups.update_group(ctx.principal, input.to_domain())
        return ConfigurationGroupPayload(
            configuration_group=ConfigurationGroup.from_domain(group), errors=[]
        )

    @payload_mutation(description=descriptions.DELETE_GROUP)
    async def delete_configuration_group(self, info: Info, id: GroupId) -> MutationResult:
        ctx = info.context
        await ctx.services().groups.delete_group(
            ctx.principal, pk_of(id, "ConfigurationGroup", "id")
        )
        return MutationResult.done()

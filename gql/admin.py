"""Administration: locations, configuration groups, users, teams, data sources."""

from __future__ import annotations

import strawberry

from domain.errors import DomainError
from gql.context import Info
from gql.errors import user_errors
from gql.ids import pk_of
from gql.inputs import (
    CreateConfigurationGroupInput,
    CreateLocationInput,
    CreateTeamInput,
    CreateUserInput,
    UpdateLocationInput,
    UpdateTeamInput,
    UpdateUserInput,
)
from gql.payloads import (
    ConfigurationGroupPayload,
    DirectoryDataSourcePayload,
    LocationPayload,
    MutationResult,
    TeamPayload,
    UserPayload,
)
from gql.types import (
    ConfigurationGroup,
    DirectoryDataSource,
    Location,
    Team,
    User,
)


@strawberry.type
class AdministrationMutation:
    @strawberry.mutation
    async def create_location(self, info: Info, input: CreateLocationInput) -> LocationPayload:
        ctx = info.context
        try:
            location = await ctx.services().locations.create_location(
                ctx.principal, input.to_domain()
            )
        except DomainError as error:
            return LocationPayload(location=None, errors=user_errors(error, "input"))
        return LocationPayload(location=Location.from_domain(location), errors=[])

    @strawberry.mutation
    async def update_location(self, info: Info, input: UpdateLocationInput) -> LocationPayload:
        ctx = info.context
        try:
            location = await ctx.services().locations.update_location(
                ctx.principal, input.to_domain()
            )
        except DomainError as error:
            return LocationPayload(location=None, errors=user_errors(error, "input"))
        return LocationPayload(location=Location.from_domain(location), errors=[])

    @strawberry.mutation(description="Refused while users or groups remain in it.")
    async def delete_location(self, info: Info, id: strawberry.ID) -> MutationResult:
        ctx = info.context
        try:
            await ctx.services().locations.delete_location(
                ctx.principal, pk_of(id, "Location", "id")
            )
        except DomainError as error:
            return MutationResult.failed(user_errors(error))
        return MutationResult.done()

    @strawberry.mutation
    async def create_configuration_group(
        self, info: Info, input: CreateConfigurationGroupInput
    ) -> ConfigurationGroupPayload:
        ctx = info.context
        try:
            group = await ctx.services().groups.create_group(ctx.principal, input.to_domain())
        except DomainError as error:
            return ConfigurationGroupPayload(
                configuration_group=None, errors=user_errors(error, "input")
            )
        return ConfigurationGroupPayload(
            configuration_group=ConfigurationGroup.from_domain(group), errors=[]
        )

    @strawberry.mutation
    async def delete_configuration_group(self, info: Info, id: strawberry.ID) -> MutationResult:
        ctx = info.context
        try:
            await ctx.services().groups.delete_group(
                ctx.principal, pk_of(id, "ConfigurationGroup", "id")
            )
        except DomainError as error:
            return MutationResult.failed(user_errors(error))
        return MutationResult.done()

    @strawberry.mutation
    async def create_user(self, info: Info, input: CreateUserInput) -> UserPayload:
        ctx = info.context
        try:
            user = await ctx.services().users.create_user(ctx.principal, input.to_domain())
        except DomainError as error:
            return UserPayload(user=None, errors=user_errors(error, "input"))
        return UserPayload(user=User.from_domain(user), errors=[])

    @strawberry.mutation
    async def update_user(self, info: Info, input: UpdateUserInput) -> UserPayload:
        ctx = info.context
        try:
            user = await ctx.services().users.update_user(ctx.principal, input.to_domain())
        except DomainError as error:
            return UserPayload(user=None, errors=user_errors(error, "input"))
        return UserPayload(user=User.from_domain(user), errors=[])

    @strawberry.mutation
    async def delete_user(self, info: Info, id: strawberry.ID) -> MutationResult:
        ctx = info.context
        try:
            await ctx.services().users.delete_user(ctx.principal, pk_of(id, "User", "id"))
        except DomainError as error:
            return MutationResult.failed(user_errors(error))
        return MutationResult.done()

    @strawberry.mutation
    async def create_team(self, info: Info, input: CreateTeamInput) -> TeamPayload:
        ctx = info.context
        try:
            team = await ctx.services().teams.create_team(ctx.principal, input.to_domain())
        except DomainError as error:
            return TeamPayload(team=None, errors=user_errors(error, "input"))
        return TeamPayload(team=Team.from_domain(team), errors=[])

    @strawberry.mutation
    async def update_team(self, info: Info, input: UpdateTeamInput) -> TeamPayload:
        ctx = info.context
        try:
            team = await ctx.services().teams.update_team(ctx.principal, input.to_domain())
        except DomainError as error:
            return TeamPayload(team=None, errors=user_errors(error, "input"))
        return TeamPayload(team=Team.from_domain(team), errors=[])

    @strawberry.mutation
    async def delete_team(self, info: Info, id: strawberry.ID) -> MutationResult:
        ctx = info.context
        try:
            await ctx.services().teams.delete_team(ctx.principal, pk_of(id, "Team", "id"))
        except DomainError as error:
            return MutationResult.failed(user_errors(error))
        return MutationResult.done()

    @strawberry.mutation
    async def create_directory_data_source(
        self, info: Info, name: str
    ) -> DirectoryDataSourcePayload:
        ctx = info.context
        try:
            source = await ctx.services().data_sources.create_data_source(ctx.principal, name)
        except DomainError as error:
            return DirectoryDataSourcePayload(directory_data_source=None, errors=user_errors(error))
        return DirectoryDataSourcePayload(
            directory_data_source=DirectoryDataSource.from_domain(source), errors=[]
        )

    @strawberry.mutation
    async def set_directory_data_source_active(
        self, info: Info, id: strawberry.ID, active: bool
    ) -> DirectoryDataSourcePayload:
        ctx = info.context
        try:
            source = await ctx.services().data_sources.set_data_source_active(
                ctx.principal, pk_of(id, "DirectoryDataSource", "id"), active
            )
        except DomainError as error:
            return DirectoryDataSourcePayload(directory_data_source=None, errors=user_errors(error))
        return DirectoryDataSourcePayload(
            directory_data_source=DirectoryDataSource.from_domain(source), errors=[]
        )

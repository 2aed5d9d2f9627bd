"""Teams: read, create, change, delete."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gql.context import Info
from gql.errors import UserError
from gql.ids import pk_of
from gql.payloads import PAYLOAD_ERRORS, MutationResult, Payload, payload_mutation
from gql.teams import descriptions
from gql.teams.inputs import CreateTeamInput, UpdateTeamInput
from gql.teams.types import Team


@strawberry.type
class TeamsQuery:
    @strawberry.field(description=descriptions.TEAMS)
    async def teams(self, info: Info) -> list[Team]:
        found = await info.context.services().teams.list_teams(info.context.principal)
        return [Team.from_domain(t) for t in found]


@strawberry.type(description="The answer of a mutation of a team.")
class TeamPayload(Payload):
    team: Team | None = strawberry.field(description="The team as stored; null on failure.")
    errors: list[UserError] = strawberry.field(description=PAYLOAD_ERRORS)


NewTeam = Annotated[CreateTeamInput, strawberry.argument(description="The team.")]
TeamChanges = Annotated[UpdateTeamInput, strawberry.argument(description="The changes.")]
TeamId = Annotated[strawberry.ID, strawberry.argument(description="The team to delete.")]


@strawberry.type
class TeamsMutation:
    @payload_mutation(description=descriptions.CREATE_TEAM)
    async def create_team(self, info: Info, input: NewTeam) -> TeamPayload:
        ctx = info.context
        team = await ctx.services().teams.create_team(ctx.principal, input.to_domain())
        return TeamPayload(team=Team.from_domain(team), errors=[])

    @payload_mutation(description=descriptions.UPDATE_TEAM)
    async def update_team(self, info: Info, input: TeamChanges) -> TeamPayload:
        ctx = info.context
        team = await ctx.services().teams.update_team(ctx.principal, input.to_domain())
        return TeamPayload(team=Team.from_domain(team), errors=[])

    @payload_mutation(description=descriptions.DELETE_TEAM)
    async def delete_team(self, info: Info, id: TeamId) -> MutationResult:
        ctx = info.context
        await ctx.services().teams.delete_team(ctx.principal, pk_of(id, "Team", "id"))
        return MutationResult.done()

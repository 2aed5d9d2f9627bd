"""Teams: read, create, change, delete."""

from __future__ import annotations

import strawberry

from gql.context import Info
from gql.errors import UserError
from gql.graph import Team
from gql.ids import pk_of
from gql.payloads import MutationResult, Payload, payload_mutation
from gql.teams.inputs import CreateTeamInput, UpdateTeamInput


@strawberry.type
class TeamsQuery:
    @strawberry.field
    async def teams(self, info: Info) -> list[Team]:
        found = await info.context.services().teams.list_teams(info.context.principal)
        return [Team.from_domain(t) for t in found]


@strawberry.type
class TeamPayload(Payload):
    team: Team | None
    errors: list[UserError]


@strawberry.type
class TeamsMutation:
    @payload_mutation()
    async def create_team(self, info: Info, input: CreateTeamInput) -> TeamPayload:
        ctx = info.context
        team = await ctx.services().teams.create_team(ctx.principal, input.to_domain())
        return TeamPayload(team=Team.from_domain(team), errors=[])

    @payload_mutation()
    async def update_team(self, info: Info, input: UpdateTeamInput) -> TeamPayload:
        ctx = info.context
        team = await ctx.services().teams.update_team(ctx.principal, input.to_domain())
        return TeamPayload(team=Team.from_domain(team), errors=[])

    @payload_mutation()
    async def delete_team(self, info: Info, id: strawberry.ID) -> MutationResult:
        ctx = info.context
        await ctx.services().teams.delete_team(ctx.principal, pk_of(id, "Team", "id"))
        return MutationResult.done()

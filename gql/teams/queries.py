"""The teams the caller may see."""

from __future__ import annotations

import strawberry

from domain.services import teams
from gql.context import Info
from gql.graph import Team


@strawberry.type
class TeamsQuery:
    @strawberry.field
    async def teams(self, info: Info) -> list[Team]:
        found = await teams.list_teams(info.context.deps(), info.context.principal)
        return [Team.from_domain(t) for t in found]

"""The locations the caller may see."""

from __future__ import annotations

import strawberry

from domain.services import locations
from gql.context import Info
from gql.graph import Location


@strawberry.type
class LocationsQuery:
    @strawberry.field
    async def locations(self, info: Info) -> list[Location]:
        found = await locations.list_locations(info.context.deps(), info.context.principal)
        return [Location.from_domain(loc) for loc in found]

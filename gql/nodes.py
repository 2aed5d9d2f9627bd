"""``node(id)``: any object by its Relay ID, from whichever area it comes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry

from domain.errors import DomainError
from domain.principals import Principal
from domain.services import (
    administrators,
    auth,
    data_sources,
    groups,
    locations,
    teams,
    users,
)
from domain.services.deps import Deps
from gql.accounts.types import Administrator, ApiToken
from gql.context import Info
from gql.directory.types import DirectoryDataSource
from gql.graph import ConfigurationGroup, Location, Team, User
from gql.ids import parse_global_id
from gql.relay import Node

NodeFetcher = Callable[[Deps, Principal, int], Awaitable[Node]]


async def _location(deps: Deps, actor: Principal, pk: int) -> Node:
    return Location.from_domain(await locations.get_location(deps, actor, pk))


async def _group(deps: Deps, actor: Principal, pk: int) -> Node:
    return ConfigurationGroup.from_domain(await groups.get_group(deps, actor, pk))


async def _user(deps: Deps, actor: Principal, pk: int) -> Node:
    return User.from_domain(await users.get_user(deps, actor, pk))


async def _team(deps: Deps, actor: Principal, pk: int) -> Node:
    return Team.from_domain(await teams.get_team(deps, actor, pk))


async def _data_source(deps: Deps, actor: Principal, pk: int) -> Node:
    return DirectoryDataSource.from_domain(await data_sources.get_data_source(deps, actor, pk))


async def _administrator(deps: Deps, actor: Principal, pk: int) -> Node:
    return Administrator.from_domain(await administrators.get_administrator(deps, actor, pk))


async def _api_token(deps: Deps, actor: Principal, pk: int) -> Node:
    return ApiToken.from_domain(await auth.get_api_token(deps, actor, pk))


NODE_FETCHERS: dict[str, NodeFetcher] = {
    "Location": _location,
    "ConfigurationGroup": _group,
    "User": _user,
    "Team": _team,
    "DirectoryDataSource": _data_source,
    "Administrator": _administrator,
    "ApiToken": _api_token,
}


@strawberry.type
class NodeQuery:
    @strawberry.field
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        parsed = parse_global_id(id)
        fetch = NODE_FETCHERS.get(parsed[0]) if parsed else None
        if parsed is None or fetch is None:
            return None
        try:
            return await fetch(info.context.deps(), info.context.principal, parsed[1])
        except DomainError:
            return None

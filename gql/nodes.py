"""``node(id)``: any object by its Relay ID, from whichever area it comes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry

from domain.errors import DomainError
from domain.principals import Principal
from domain.services.registry import Services
from gql.accounts.types import Administrator, ApiToken
from gql.context import Info
from gql.directory.types import DirectoryDataSource
from gql.graph import ConfigurationGroup, Location, Team, User
from gql.ids import parse_global_id
from gql.relay import Node

NodeFetcher = Callable[[Services, Principal, int], Awaitable[Node]]


async def _location(services: Services, actor: Principal, pk: int) -> Node:
    return Location.from_domain(await services.locations.get_location(actor, pk))


async def _group(services: Services, actor: Principal, pk: int) -> Node:
    return ConfigurationGroup.from_domain(await services.groups.get_group(actor, pk))


async def _user(services: Services, actor: Principal, pk: int) -> Node:
    return User.from_domain(await services.users.get_user(actor, pk))


async def _team(services: Services, actor: Principal, pk: int) -> Node:
    return Team.from_domain(await services.teams.get_team(actor, pk))


async def _data_source(services: Services, actor: Principal, pk: int) -> Node:
    return DirectoryDataSource.from_domain(await services.data_sources.get_data_source(actor, pk))


async def _administrator(services: Services, actor: Principal, pk: int) -> Node:
    return Administrator.from_domain(await services.administrators.get_administrator(actor, pk))


async def _api_token(services: Services, actor: Principal, pk: int) -> Node:
    return ApiToken.from_domain(await services.auth.get_api_token(actor, pk))


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
            return await fetch(info.context.services(), info.context.principal, parsed[1])
        except DomainError:
            return None

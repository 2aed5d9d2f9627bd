"""The read side: every root query field."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry

from domain.errors import DomainError
from domain.principals import Principal
from domain.services.paging import page_request
from domain.services.registry import Services
from gql.connections import counted, users_connection
from gql.context import Info
from gql.ids import maybe_pk_of, parse_cursor, parse_global_id, to_cursor
from gql.types import (
    Administrator,
    ApiToken,
    AuditEvent,
    AuditEventConnection,
    AuditEventEdge,
    ConfigurationGroup,
    DirectoryDataSource,
    Location,
    Node,
    PageInfo,
    Team,
    User,
    UserConnection,
    UserFilter,
)

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
class Query:
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

    @strawberry.field
    async def locations(self, info: Info) -> list[Location]:
        found = await info.context.services().locations.list_locations(info.context.principal)
        return [Location.from_domain(loc) for loc in found]

    @strawberry.field
    async def users(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: UserFilter | None = None,
    ) -> UserConnection:
        return await users_connection(info.context, info.context.services(), first, after, filter)

    @strawberry.field
    async def teams(self, info: Info) -> list[Team]:
        found = await info.context.services().teams.list_teams(info.context.principal)
        return [Team.from_domain(t) for t in found]

    @strawberry.field
    async def directory_data_sources(self, info: Info) -> list[DirectoryDataSource]:
        found = await info.context.services().data_sources.list_data_sources(info.context.principal)
        return [DirectoryDataSource.from_domain(s) for s in found]

    @strawberry.field
    async def audit_events(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        target_user_id: strawberry.ID | None = None,
    ) -> AuditEventConnection:
        services = info.context.services()
        after_pk = parse_cursor(after)
        target = maybe_pk_of(target_user_id, "User", "targetUserId")
        page = await services.audit.audit_events(
            info.context.principal, page_request(services.config, first, after_pk), target
        )
        edges = [
            AuditEventEdge(cursor=to_cursor(e.id), node=AuditEvent.from_domain(e))
            for e in page.items
        ]
        return AuditEventConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=after_pk is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=counted(page),
        )

    @strawberry.field(
        description=(
            "The administrators, for system administrators; a sub-administrator sees only itself."
        )
    )
    async def administrators(self, info: Info) -> list[Administrator]:
        found = await info.context.services().administrators.list_administrators(
            info.context.principal
        )
        return [Administrator.from_domain(a) for a in found]

    @strawberry.field(
        description=(
            "The API tokens, revoked ones included, oldest first: every token for a system "
            "administrator, otherwise the caller's own. Never their secrets."
        )
    )
    async def api_tokens(self, info: Info) -> list[ApiToken]:
        found = await info.context.services().auth.list_api_tokens(info.context.principal)
        return [ApiToken.from_domain(t) for t in found]

    @strawberry.field(
        description=(
            "The signed-in user, for Connect Client sessions; null for administrators and "
            "API tokens."
        )
    )
    async def me(self, info: Info) -> User | None:
        user = await info.context.services().me.me(info.context.principal)
        return None if user is None else User.from_domain(user)

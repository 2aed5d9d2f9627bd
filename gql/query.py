"""The read side: every root query field."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry

from domain.errors import DomainError
from domain.principals import Principal
from domain.services import (
    administrators,
    audit,
    auth,
    data_sources,
    groups,
    locations,
    me,
    teams,
    users,
)
from domain.services.deps import Deps
from domain.services.paging import page_request
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
class Query:
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

    @strawberry.field
    async def locations(self, info: Info) -> list[Location]:
        found = await locations.list_locations(info.context.deps(), info.context.principal)
        return [Location.from_domain(loc) for loc in found]

    @strawberry.field
    async def users(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: UserFilter | None = None,
    ) -> UserConnection:
        return await users_connection(info.context, info.context.deps(), first, after, filter)

    @strawberry.field
    async def teams(self, info: Info) -> list[Team]:
        found = await teams.list_teams(info.context.deps(), info.context.principal)
        return [Team.from_domain(t) for t in found]

    @strawberry.field
    async def directory_data_sources(self, info: Info) -> list[DirectoryDataSource]:
        found = await data_sources.list_data_sources(info.context.deps(), info.context.principal)
        return [DirectoryDataSource.from_domain(s) for s in found]

    @strawberry.field
    async def audit_events(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        target_user_id: strawberry.ID | None = None,
    ) -> AuditEventConnection:
        deps = info.context.deps()
        after_pk = parse_cursor(after)
        target = maybe_pk_of(target_user_id, "User", "targetUserId")
        page = await audit.audit_events(
            deps, info.context.principal, page_request(deps.config, first, after_pk), target
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
        found = await administrators.list_administrators(
            info.context.deps(), info.context.principal
        )
        return [Administrator.from_domain(a) for a in found]

    @strawberry.field(
        description=(
            "The API tokens, revoked ones included, oldest first: every token for a system "
            "administrator, otherwise the caller's own. Never their secrets."
        )
    )
    async def api_tokens(self, info: Info) -> list[ApiToken]:
        found = await auth.list_api_tokens(info.context.deps(), info.context.principal)
        return [ApiToken.from_domain(t) for t in found]

    @strawberry.field(
        description=(
            "The signed-in user, for Connect Client sessions; null for administrators and "
            "API tokens."
        )
    )
    async def me(self, info: Info) -> User | None:
        user = await me.me(info.context.deps(), info.context.principal)
        return None if user is None else User.from_domain(user)

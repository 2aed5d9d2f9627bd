"""Relay connections over the domain's keyset pages."""

from __future__ import annotations

from typing import Any

from domain.ports import Page
from domain.services import users as user_service
from domain.services.deps import Deps
from domain.services.paging import page_request
from gql.context import Context
from gql.ids import maybe_pk_of, parse_cursor, to_cursor
from gql.types import PageInfo, User, UserConnection, UserEdge, UserFilter


def page_info(pks: list[int], page: Page[object], after: int | None) -> PageInfo:
    return PageInfo(
        has_next_page=page.has_next,
        has_previous_page=after is not None,
        start_cursor=to_cursor(pks[0]) if pks else None,
        end_cursor=to_cursor(pks[-1]) if pks else None,
    )


# totalCount of a page read without its count: only the compiled path (gql/compiled/)
# asks for no count, and only when totalCount is not selected, so nobody reads this.
NOT_COUNTED = -1


def counted(page: Page[Any]) -> int:
    if page.total is None:
        raise RuntimeError("the page was read without its count")
    return page.total


async def users_connection(
    ctx: Context,
    deps: Deps,
    first: int | None,
    after: str | None,
    filter: UserFilter | None,
    *,
    location_id: int | None = None,
    group_id: int | None = None,
    with_total: bool = True,
) -> UserConnection:
    after_pk = parse_cursor(after)
    request = page_request(deps.config, first, after_pk)
    f = filter or UserFilter()
    domain_filter = user_service.UserFilter(
        search=f.search,
        location_id=location_id
        if location_id is not None
        else maybe_pk_of(f.location_id, "Location", "filter", "locationId"),
        configuration_group_id=group_id
        if group_id is not None
        else maybe_pk_of(
            f.configuration_group_id, "ConfigurationGroup", "filter", "configurationGroupId"
        ),
        team_id=maybe_pk_of(f.team_id, "Team", "filter", "teamId"),
        is_vip=f.is_vip,
    )
    page = await user_service.users_page(
        deps, ctx.principal, request, domain_filter, with_total=with_total
    )
    pks = [u.id for u in page.items]
    return UserConnection(
        edges=[UserEdge(cursor=to_cursor(u.id), node=User.from_domain(u)) for u in page.items],
        page_info=page_info(pks, page, after_pk),  # type: ignore[arg-type]
        total_count=NOT_COUNTED if page.total is None else page.total,
    )

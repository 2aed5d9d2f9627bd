"""Relay's shapes for any type: the Node interface, connections of a type's
edges (``Connection[User]`` is UserConnection) and their PageInfo. Knows no
concrete type."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import strawberry

from domain.ports import Page
from gql.ids import to_cursor


@strawberry.interface
class Node:
    id: strawberry.ID = strawberry.field(description="Globally unique, opaque Relay ID.")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


NodeT = TypeVar("NodeT")


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    total_count: int


def page_info(pks: list[int], page: Page[Any], after: int | None) -> PageInfo:
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

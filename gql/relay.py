"""Relay's shapes for any type: the Node interface, connections of a type's
edges (``Connection[User]`` is UserConnection) and their PageInfo. Knows no
concrete type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

import strawberry

from domain.ports import Page
from domain.services.paging import PageRequest, page_request
from domain.services.registry import Services
from gql.ids import parse_cursor, to_cursor


@strawberry.interface(description="An object with a global ID; node(id) fetches it again.")
class Node:
    id: strawberry.ID = strawberry.field(description="Globally unique, opaque Relay ID.")


@strawberry.type(description="Where a page stands in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="More items follow: ask again with after: endCursor. Paging backwards "
        "(last, before): whether the page was asked for with before."
    )
    has_previous_page: bool = strawberry.field(
        description="Items come before the page: ask again with last and before: "
        "startCursor. Paging forwards (first, after): whether the page was asked for "
        "with after."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first item, for the page before's before; "
        "null for an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last item, for the next page's after; null for "
        "an empty page."
    )


NodeT = TypeVar("NodeT")


@strawberry.type(description="One item of a page, with its cursor.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(
        description="Opaque position of this item: pass it as after to read on behind it, "
        "or as before to read what comes before it."
    )
    node: NodeT = strawberry.field(description="The item.")


@strawberry.type(description="One page of a list; the field that returns it says the order.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="The page's items, in order.")
    page_info: PageInfo = strawberry.field(description="Where the page stands in the list.")
    total_count: int = strawberry.field(
        description="The items of the whole list the caller may see, on every page."
    )


PageSize = Annotated[
    int | None,
    strawberry.argument(
        description="How many items at most: 0 to CONNECT_MAX_PAGE_SIZE (100 unless set); "
        "omitted, 20 (unless last is given). Out of range, or given with last: a "
        "BAD_USER_INPUT error with the problem INVALID_PAGE_SIZE."
    ),
]
LastSize = Annotated[
    int | None,
    strawberry.argument(
        description="How many items at most, from the end (of the list, or of what comes "
        "before the cursor before): 0 to CONNECT_MAX_PAGE_SIZE. Out of range, or given "
        "with first: BAD_USER_INPUT with INVALID_PAGE_SIZE."
    ),
]
Before = Annotated[
    str | None,
    strawberry.argument(
        description="The startCursor of the page after: the items before it; with last, "
        "the page before that one. Not a cursor of this list: BAD_USER_INPUT with "
        "INVALID_CURSOR."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="The endCursor of the page before: the items after it; omitted, from the "
        "start. Not a cursor of this list: BAD_USER_INPUT with INVALID_CURSOR."
    ),
]


@dataclass(frozen=True)
class Paging:
    """A connection field's paging arguments, as the client gave them."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    @classmethod
    def of(cls, arguments: dict[str, Any]) -> Paging:
        return cls(*(arguments.get(name) for name in ("first", "after", "last", "before")))

    def request(self, services: Services) -> PageRequest:
        """As the service takes it (INVALID_CURSOR, INVALID_PAGE_SIZE for what is not)."""
        return page_request(
            services.config,
            self.first,
            parse_cursor(self.after),
            self.last,
            parse_cursor(self.before, "before"),
        )


def page_info(pks: list[int], page: Page[Any]) -> PageInfo:
    return PageInfo(
        has_next_page=page.has_next,
        has_previous_page=page.has_previous,
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

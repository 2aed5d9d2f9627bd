"""The users page as an organisation grows: first page, with ``totalCount``, a deep
page, and a searched page (few matches, many), each measured alone under load with
its statements per request beside (``python -m bench --scale 100000``).

A searched page is what an administrator types first: the users search is served
by an index (pg_trgm on PostgreSQL, FTS5 on SQLite), so its cost should follow the
matches, not the organisation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

FIELDS = (
    "edges { node { id login displayName email isVip location { id name } "
    "configurationGroup { id name } teams { id name } defaultRelationship } }"
)
FILTERED = (
    "query Search($first: Int!, $after: String, $filter: UserFilter) "
    "{ users(first: $first, after: $after, filter: $filter) { %s } }"
)

# (name, what the page holds); the searched logins' numbers are five digits.
PAGES = (
    ("first page", "the first 100 users"),
    ("with totalCount", "the first 100 and how many there are"),
    ("deep page", "100 users after a cursor near the end"),
    ("search, few matches", 'filter: {search: "user0999"}: 10 users'),
    ("search, many matches", 'filter: {search: "schmidt"}: one user in 20, a full page'),
)


def bodies(user_ids: list[int], cursor: Callable[[int], str]) -> dict[str, str]:
    """One request body per page of PAGES."""

    def body(fields: str, **variables: Any) -> str:
        return json.dumps({"query": FILTERED % fields, "variables": {"first": 100, **variables}})

    deep = user_ids[len(user_ids) - 150]
    return {
        "first page": body(FIELDS),
        "with totalCount": body("totalCount " + FIELDS),
        "deep page": body(FIELDS, after=cursor(deep)),
        "search, few matches": body(FIELDS, filter={"search": "user0999"}),
        "search, many matches": body(FIELDS, filter={"search": "schmidt"}),
    }


def report_rows(row: Callable[[str, str, Any], None], g: Callable[..., Any]) -> None:
    """The table's rows: req/s, p99 and statements of each page, and the searched
    pages' ratio to the first page (target: within 2x)."""

    def cell(r: Any, name: str) -> str:
        found = g(r, "scaling", name)
        return (
            f"{found['rps']:.0f}, p99 {found['p99_ms']:.0f} ms, "
            f"{found['statements']:.0f} statement(s)"
        )

    row("scaling: users", "", lambda r: str(g(r, "setup", "counts", "users")))
    for name, holds in PAGES:
        row(f"scaling: {name} ({holds})", "", lambda r, name=name: cell(r, name))
    for name in ("search, few matches", "search, many matches", "deep page", "with totalCount"):
        row(
            f"scaling: first page / {name}",
            "<= 2" if name.startswith("search") else "",
            lambda r, name=name: (
                f"{g(r, 'scaling', 'first page', 'rps') / g(r, 'scaling', name, 'rps'):.2f}"
            ),
        )

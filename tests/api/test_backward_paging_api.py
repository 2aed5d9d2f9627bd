"""Every connection pages backwards too (Relay's last and before): the pages read from
the end are the pages read from the start, and hasPreviousPage says whether items
come before them."""

from __future__ import annotations

from typing import Any

import pytest

from domain.principals import SYSTEM
from domain.services import groups, locations, users
from tests.api.conftest import Api

PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
USERS = f"""
query($first: Int, $after: String, $last: Int, $before: String) {{
  users(first: $first, after: $after, last: $last, before: $before) {{
    totalCount {PAGE_INFO} edges {{ cursor node {{ login }} }}
  }}
}}"""
AUDIT = f"""
query($first: Int, $after: String, $last: Int, $before: String) {{
  auditEvents(first: $first, after: $after, last: $last, before: $before) {{
    totalCount {PAGE_INFO} edges {{ cursor node {{ id }} }}
  }}
}}"""
LOCATION_USERS = f"""
query($id: ID!, $last: Int, $before: String) {{
  node(id: $id) {{ ... on Location {{
    users(last: $last, before: $before) {{ {PAGE_INFO} edges {{ node {{ login }} }} }}
  }} }}
}}"""
COUNT = 7


@pytest.fixture
async def seven(api: Api, admin_token: str) -> str:
    """Seven users of Berlin (and so some audit events); the administrator's token."""
    services = api.services
    berlin = await services.locations.create_location(SYSTEM, locations.NewLocation(name="Berlin"))
    await services.groups.create_group(SYSTEM, groups.NewConfigurationGroup(berlin.id, "Sales"))
    for n in range(COUNT):
        await services.users.create_user(
            SYSTEM, users.NewUser(login=f"user{n}", last_name="U", location_id=berlin.id)
        )
    return admin_token


async def backwards(api: Api, query: str, root: str, token: str, size: int) -> list[Any]:
    """Every page from the end, each asked for with before: the previous startCursor."""
    pages: list[Any] = []
    before: str | None = None
    while True:
        data = await api.data(query, {"last": size, "before": before}, token=token)
        page = data[root]
        pages.insert(0, page)
        if not page["pageInfo"]["hasPreviousPage"]:
            return pages
        before = page["pageInfo"]["startCursor"]
        assert len(pages) <= 10, "paging backwards does not end"


def keys(pages: list[Any], field: str) -> list[str]:
    return [edge["node"][field] for page in pages for edge in page["edges"]]


@pytest.mark.parametrize(
    ("query", "root", "field"), [(USERS, "users", "login"), (AUDIT, "auditEvents", "id")]
)
async def test_the_pages_from_the_end_are_the_list(
    api: Api, seven: str, query: str, root: str, field: str
) -> None:
    whole = (await api.data(query, {"first": 100}, token=seven))[root]
    assert not whole["pageInfo"]["hasPreviousPage"]

    pages = await backwards(api, query, root, seven, 3)

    assert keys(pages, field) == keys([whole], field)
    assert [len(p["edges"]) for p in pages] == [
        len(whole["edges"]) % 3 or 3,
        *[3] * ((len(whole["edges"]) - 1) // 3),
    ]
    assert [p["pageInfo"]["hasPreviousPage"] for p in pages] == [False] + [True] * (len(pages) - 1)
    # The last page is the end of the list; the others were asked for with before.
    assert [p["pageInfo"]["hasNextPage"] for p in pages] == [True] * (len(pages) - 1) + [False]
    assert {p["totalCount"] for p in pages} == {whole["totalCount"]}


async def test_last_and_before_meet_first_and_after(api: Api, seven: str) -> None:
    forward = (await api.data(USERS, {"first": 4}, token=seven))["users"]
    behind = forward["pageInfo"]["endCursor"]

    before_it = (await api.data(USERS, {"last": 2, "before": behind}, token=seven))["users"]

    assert keys([before_it], "login") == ["user1", "user2"]
    assert before_it["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": True,
        "startCursor": forward["edges"][1]["cursor"],
        "endCursor": forward["edges"][2]["cursor"],
    }


async def test_between_after_and_before(api: Api, seven: str) -> None:
    whole = (await api.data(USERS, {"first": 100}, token=seven))["users"]["edges"]
    between = await api.data(
        "query($a: String, $b: String) { users(after: $a, before: $b) "
        "{ edges { node { login } } } }",
        {"a": whole[1]["cursor"], "b": whole[5]["cursor"]},
        token=seven,
    )

    assert keys([between["users"]], "login") == ["user2", "user3", "user4"]


async def test_a_locations_users_page_backwards(api: Api, seven: str) -> None:
    [location] = (await api.data("{ locations { id } }", token=seven))["locations"]
    data = await api.data(LOCATION_USERS, {"id": location["id"], "last": 2}, token=seven)

    page = data["node"]["users"]
    assert keys([page], "login") == ["user5", "user6"]
    assert page["pageInfo"]["hasPreviousPage"] is True
    assert page["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(
    ("variables", "problem", "field"),
    [
        ({"first": 2, "last": 2}, "INVALID_PAGE_SIZE", ["last"]),
        ({"last": -1}, "INVALID_PAGE_SIZE", ["last"]),
        ({"last": 101}, "INVALID_PAGE_SIZE", ["last"]),
        ({"last": 2, "before": "nonsense"}, "INVALID_CURSOR", ["before"]),
    ],
)
async def test_a_backward_page_out_of_bounds_is_bad_user_input(
    api: Api, seven: str, variables: dict[str, Any], problem: str, field: list[str]
) -> None:
    body = await api.post(USERS, variables, token=seven)

    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert [(p["code"], p["field"]) for p in error["extensions"]["problems"]] == [(problem, field)]


@pytest.mark.parametrize(
    ("search", "found"), [("user", ["user2", "user3", "user4", "user5", "user6"]), ("nobody", [])]
)
async def test_a_page_that_finds_nobody_says_what_lies_behind_its_cursors(
    api: Api, seven: str, search: str, found: list[str]
) -> None:
    whole = (await api.data(USERS, {"first": 100}, token=seven))["users"]["edges"]
    query = (
        "query($s: String!, $a: String, $l: Int, $b: String) { "
        "users(filter: {search: $s}, after: $a, last: $l, before: $b) "
        f"{{ {PAGE_INFO} edges {{ node {{ login }} }} }} }}"
    )

    after = await api.data(query, {"s": search, "a": whole[1]["cursor"]}, token=seven)
    before = await api.data(query, {"s": search, "l": 2, "b": whole[1]["cursor"]}, token=seven)

    # Found or not, the same answer on either side of a cursor that was given.
    assert keys([after["users"]], "login") == found
    assert after["users"]["pageInfo"]["hasPreviousPage"] is True
    assert before["users"]["pageInfo"]["hasNextPage"] is True

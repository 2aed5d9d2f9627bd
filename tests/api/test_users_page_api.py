"""The users page: nested fields in bulk, keyset pagination, filters."""

from __future__ import annotations

from typing import Any

import pytest

from domain.model import RelationshipLevel
from domain.principals import SYSTEM
from domain.services import groups, locations, teams, users
from tests.api.conftest import Api

PAGE = """
query($first: Int!, $after: String) {
  users(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node {
      id login displayName email isVip defaultRelationship
      location { id name }
      configurationGroup { id name }
      teams { id name }
      relationships { target { login } level source }
      clientSettings { key value }
    } }
  }
}"""


@pytest.fixture
async def organisation(api: Api) -> None:
    """120 users in two groups of one location, in teams of ten, some with own relationships."""
    services = api.services
    berlin = await services.locations.create_location(
        SYSTEM,
        locations.NewLocation(name="Berlin", client_settings=[("language", "de")]),
    )
    sales = await services.groups.create_group(
        SYSTEM,
        groups.NewConfigurationGroup(
            location_id=berlin.id,
            name="Sales",
            default_relationship=RelationshipLevel.FORWARDER,
        ),
    )
    ids = []
    for n in range(120):
        user = await services.users.create_user(
            SYSTEM,
            users.NewUser(
                login=f"user{n:03}",
                last_name=f"Last {n}",
                location_id=berlin.id,
                configuration_group_id=sales.id if n % 2 else None,
                is_vip=n % 17 == 0,
            ),
        )
        ids.append(user.id)
    for start in range(0, 120, 10):
        await services.teams.create_team(
            SYSTEM, teams.NewTeam(name=f"Team {start}", member_ids=ids[start : start + 10])
        )
    async with services.uow as uow:
        for owner in ids[::7]:
            await uow.relationships.set(owner, ids[-1], RelationshipLevel.ASSISTANT)
        await uow.commit()


async def statements_for_page(
    api: Api, token: str, count_statements: Any, first: int
) -> tuple[int, dict[str, Any]]:
    # One warm-up request, so that per-connection setup is not counted.
    await api.data(PAGE, {"first": 1}, token=token)
    with count_statements() as counter:
        data = await api.data(PAGE, {"first": first}, token=token)
    return counter.count, data


@pytest.mark.usefixtures("organisation")
class TestUsersPage:
    async def test_a_page_of_100_costs_as_many_statements_as_a_page_of_5(
        self, api: Api, admin_token: str, count_statements: Any
    ) -> None:
        small, small_page = await statements_for_page(api, admin_token, count_statements, 5)
        large, large_page = await statements_for_page(api, admin_token, count_statements, 100)
        assert len(small_page["users"]["edges"]) == 5
        assert len(large_page["users"]["edges"]) == 100
        assert large == small

    async def test_pages_follow_each_other_without_gap_or_overlap(
        self, api: Api, admin_token: str
    ) -> None:
        seen: list[str] = []
        after = None
        while True:
            data = await api.data(PAGE, {"first": 50, "after": after}, token=admin_token)
            page = data["users"]
            assert page["totalCount"] == 120
            seen += [e["node"]["login"] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == [f"user{n:03}" for n in range(120)]

    async def test_nested_fields_resolve_the_rules(self, api: Api, admin_token: str) -> None:
        data = await api.data(PAGE, {"first": 2}, token=admin_token)
        vip, grouped = (e["node"] for e in data["users"]["edges"])
        assert vip["isVip"] is True
        assert vip["defaultRelationship"] is None
        assert vip["relationships"] == [
            {"target": {"login": "user119"}, "level": "ASSISTANT", "source": "USER"}
        ]
        assert grouped["configurationGroup"]["name"] == "Sales"
        assert grouped["defaultRelationship"] == "FORWARDER"
        # Team-mates get TEAM_COLLEAGUE, above the group's FORWARDER default.
        assert {r["level"] for r in grouped["relationships"]} == {"TEAM_COLLEAGUE"}
        assert len(grouped["relationships"]) == 9
        assert grouped["clientSettings"] == [{"key": "language", "value": "de"}]

    async def test_a_page_larger_than_the_cap_is_refused(self, api: Api, admin_token: str) -> None:
        body = await api.post(PAGE, {"first": 101}, token=admin_token)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    async def test_search_filters_case_insensitively(self, api: Api, admin_token: str) -> None:
        data = await api.data(
            '{ users(filter: {search: "USER11"}) { totalCount edges { node { login } } } }',
            token=admin_token,
        )
        assert data["users"]["totalCount"] == 10


@pytest.mark.usefixtures("organisation")
async def test_a_users_teams_list_their_members_when_asked(api: Api, admin_token: str) -> None:
    data = await api.data(
        "{ users(first: 2) { edges { node { login teams { name members { login } } } } } }",
        token=admin_token,
    )
    first = data["users"]["edges"][0]["node"]
    [team] = first["teams"]
    assert team["name"] == "Team 0"
    assert [m["login"] for m in team["members"]] == [f"user{n:03}" for n in range(10)]

"""resetUsers over a selection instead of ids (domain/services/reset_selection.py): the
selection is resolved on the server within the caller's locations, and the dry run
answers counts by action and a sample of the users, not every result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from domain.principals import SYSTEM
from domain.services import administrators, locations, teams, users
from domain.services.users import UserChanges
from gql.ids import to_global_id
from tests.api.conftest import ADMIN_PASSWORD, Api

RESET = """
mutation($ids: [ID!]!, $selection: UserSelectionInput, $options: ResetUsersOptions!,
         $dry: Boolean!) {
  resetUsers(ids: $ids, selection: $selection, options: $options, dryRun: $dry) {
    succeeded failed errors { code field }
    results { user { login } status }
    summary {
      users succeeded partial failed
      actions { action done failed changes errors { code count } }
      errors { code count } warnings { code count }
    }
  }
}"""
CLIENT_SETTINGS = {"resetClientSettings": True}


@dataclass
class Org:
    oslo: str
    bergen: str
    team: str
    sub_token: str


@pytest.fixture
async def org(api: Api) -> Org:
    """Oslo: ann (mail), bob (no mail), vic (VIP, mail), dan (blocked, mail); Bergen: eve.
    A team of ann and vic; a sub-administrator of Oslo."""
    services = api.services
    oslo = await services.locations.create_location(SYSTEM, locations.NewLocation(name="Oslo"))
    bergen = await services.locations.create_location(SYSTEM, locations.NewLocation(name="Bergen"))
    made = {}
    for login, email, vip, where in [
        ("ann", "ann@example.org", False, oslo),
        ("bob", None, False, oslo),
        ("vic", "vic@example.org", True, oslo),
        ("dan", "dan@example.org", False, oslo),
        ("eve", "eve@example.org", False, bergen),
    ]:
        new = users.NewUser(
            login=login, last_name=login.title(), location_id=where.id, email=email, is_vip=vip
        )
        made[login] = await services.users.create_user(SYSTEM, new)
    await services.users.update_user(SYSTEM, UserChanges(id=made["dan"].id, blocked=True))
    team = await services.teams.create_team(
        SYSTEM, teams.NewTeam(name="Core", member_ids=[made["ann"].id, made["vic"].id])
    )
    await services.administrators.create_administrator(
        SYSTEM,
        administrators.NewAdministrator(
            login="oslo-admin", password=ADMIN_PASSWORD, last_name="Sub", location_ids=[oslo.id]
        ),
    )
    return Org(
        oslo=to_global_id("Location", oslo.id),
        bergen=to_global_id("Location", bergen.id),
        team=to_global_id("Team", team.id),
        sub_token=await api.sign_in_admin("oslo-admin"),
    )


async def reset(
    api: Api,
    token: str,
    selection: dict[str, Any] | None,
    options: dict[str, bool],
    *,
    dry: bool = True,
    ids: list[str] | None = None,
) -> dict[str, Any]:
    variables = {"ids": ids or [], "selection": selection, "options": options, "dry": dry}
    result: dict[str, Any] = (await api.data(RESET, variables, token=token))["resetUsers"]
    return result


def logins(result: dict[str, Any]) -> list[str]:
    return [r["user"]["login"] for r in result["results"]]


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"hasEmail": True}, ["ann", "vic", "dan"]),
        ({"hasEmail": False}, ["bob"]),
        ({"isVip": True}, ["vic"]),
        ({"blocked": True}, ["dan"]),
        ({"blocked": False, "isVip": False}, ["ann", "bob"]),
        ({"search": "AN"}, ["ann", "dan"]),
        ("team", ["ann", "vic"]),
    ],
)
async def test_a_selection_takes_the_users_that_match_every_criterion(
    api: Api, admin_token: str, org: Org, criteria: Any, expected: list[str]
) -> None:
    selection = {"teamId": org.team} if criteria == "team" else {"locationId": org.oslo, **criteria}

    result = await reset(api, admin_token, selection, CLIENT_SETTINGS)

    assert logins(result) == expected
    assert result["summary"]["users"] == len(expected)


async def test_the_dry_run_counts_each_action_and_its_refusals_by_code(
    api: Api, admin_token: str, org: Org
) -> None:
    options = {"setRandomPassword": True, "resetClientSettings": True}

    result = await reset(api, admin_token, {"locationId": org.oslo}, options)

    assert result["errors"] == []
    assert result["summary"] == {
        "users": 4,
        "succeeded": 0,
        "partial": 4,
        "failed": 0,
        "actions": [
            {
                "action": "PASSWORD",
                "done": 0,
                "failed": 4,
                "changes": 0,
                "errors": [
                    {"code": "EMAIL_MISSING", "count": 1},
                    {"code": "MAIL_GATEWAY_NOT_CONFIGURED", "count": 2},
                    {"code": "USER_BLOCKED", "count": 1},
                ],
            },
            {"action": "CLIENT_SETTINGS", "done": 4, "failed": 0, "changes": 0, "errors": []},
        ],
        "errors": [],
        "warnings": [],
    }
    assert (result["succeeded"], result["failed"]) == (0, 0)


async def test_a_sub_administrator_selects_only_within_its_locations(
    api: Api, admin_token: str, org: Org
) -> None:
    everyone = await reset(api, admin_token, {}, CLIENT_SETTINGS)
    own = await reset(api, org.sub_token, {}, CLIENT_SETTINGS)
    outside = await reset(api, org.sub_token, {"locationId": org.bergen}, CLIENT_SETTINGS)

    assert sorted(logins(everyone)) == ["ann", "bob", "dan", "eve", "vic"]
    assert logins(own) == ["ann", "bob", "vic", "dan"]
    assert outside["summary"]["users"] == 0
    assert outside["results"] == []


async def test_ids_and_a_selection_at_once_are_refused(
    api: Api, admin_token: str, org: Org
) -> None:
    result = await reset(api, admin_token, {}, CLIENT_SETTINGS, ids=[org.oslo])

    assert result["errors"] == [{"code": "IDS_AND_SELECTION", "field": ["ids"]}]
    assert result["summary"] is None


async def test_a_large_selection_answers_a_sample_and_counts_them_all(
    api: Api, admin_token: str
) -> None:
    services = api.services
    big = await services.locations.create_location(SYSTEM, locations.NewLocation(name="Big"))
    for n in range(25):
        new = users.NewUser(login=f"u{n:02}", last_name="U", location_id=big.id)
        await services.users.create_user(SYSTEM, new)
    selection = {"locationId": to_global_id("Location", big.id)}

    dry = await reset(api, admin_token, selection, CLIENT_SETTINGS)
    done = await reset(api, admin_token, selection, CLIENT_SETTINGS, dry=False)

    for result in (dry, done):
        assert logins(result) == [f"u{n:02}" for n in range(20)]
        assert result["summary"]["users"] == 25
        assert result["succeeded"] == 25

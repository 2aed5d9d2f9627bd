"""Query.viewer: who am I, for every client (the Web Administration asks it first)."""

from __future__ import annotations

from typing import Any

from domain.principals import SYSTEM
from domain.services import administrators, locations
from gql.ids import to_global_id
from tests.api.conftest import ADMIN_PASSWORD, Api

VIEWER = """{ viewer { isSystemAdministrator viaApiToken
  administrator { login lastName locations { name } } } }"""
CREATE_API_TOKEN = 'mutation { createApiToken(name: "partner") { token errors { code } } }'


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body["errors"]]


async def test_a_system_administrator_is_told_its_role_and_no_locations(
    api: Api, admin_token: str
) -> None:
    data = await api.data(VIEWER, token=admin_token)
    assert data["viewer"] == {
        "isSystemAdministrator": True,
        "viaApiToken": False,
        "administrator": {"login": "root", "lastName": "Root", "locations": []},
    }


async def test_a_sub_administrator_is_told_its_locations_and_through_a_token_so(
    api: Api, admin_token: str
) -> None:
    munich = await api.services.locations.create_location(
        SYSTEM, locations.NewLocation(name="Munich")
    )
    await api.services.administrators.create_administrator(
        SYSTEM,
        administrators.NewAdministrator(
            login="sub", password=ADMIN_PASSWORD, last_name="Sub", location_ids=[munich.id]
        ),
    )
    sub = await api.sign_in_admin("sub")
    data = await api.data(VIEWER, token=sub)
    assert data["viewer"] == {
        "isSystemAdministrator": False,
        "viaApiToken": False,
        "administrator": {"login": "sub", "lastName": "Sub", "locations": [{"name": "Munich"}]},
    }
    token = (await api.data(CREATE_API_TOKEN, token=sub))["createApiToken"]["token"]
    through_token = await api.data(VIEWER, token=token)
    assert through_token["viewer"]["viaApiToken"] is True
    assert through_token["viewer"]["administrator"]["login"] == "sub"


async def test_nobody_and_a_connect_client_user_are_refused(api: Api, admin_token: str) -> None:
    assert codes(await api.post(VIEWER)) == ["UNAUTHENTICATED"]
    berlin = await api.services.locations.create_location(
        SYSTEM, locations.NewLocation(name="Berlin")
    )
    created = await api.data(
        'mutation($l: ID!) { createUser(input: {login: "anna", lastName: "A", '
        'locationId: $l, password: "Given-Passw0rd!2026"}) { errors { code } } }',
        {"l": to_global_id("Location", berlin.id)},
        token=admin_token,
    )
    assert created["createUser"]["errors"] == [], created
    await api.take_over_password("anna", "Given-Passw0rd!2026", "Own-Passw0rd!2026")
    user = await api.sign_in_user("anna", "Own-Passw0rd!2026")
    assert codes(await api.post(VIEWER, token=user["token"])) == ["FORBIDDEN"]

"""auditEvents(filter:): by action, actor, location, user and time, filtered on the server,
with the same scope rules for a sub-administrator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.principals import SYSTEM
from domain.services import administrators, locations
from gql.ids import to_global_id
from tests.api.conftest import ADMIN_PASSWORD, Api

EVENTS = """query($filter: AuditEventFilter) {
  auditEvents(first: 50, filter: $filter) { totalCount edges { node { actor action } } }
}"""
CREATE_USER = """mutation($l: ID!, $login: String!) {
  createUser(input: {login: $login, lastName: "Doe", locationId: $l}) { errors { code } }
}"""


async def events(api: Api, token: str, **filter: Any) -> list[tuple[str, str]]:
    data = await api.data(EVENTS, {"filter": filter}, token=token)
    found = data["auditEvents"]
    pairs = [(e["node"]["actor"], e["node"]["action"]) for e in found["edges"]]
    assert found["totalCount"] == len(pairs)
    return pairs


async def test_the_filters_narrow_the_trail_on_the_server(api: Api, admin_token: str) -> None:
    berlin = await api.services.locations.create_location(
        SYSTEM, locations.NewLocation(name="Berlin")
    )
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
    berlin_id, munich_id = to_global_id("Location", berlin.id), to_global_id("Location", munich.id)
    before = datetime.now(UTC) - timedelta(seconds=1)
    for login, location, token in (("anna", berlin_id, admin_token), ("hans", munich_id, sub)):
        made = await api.data(CREATE_USER, {"l": location, "login": login}, token=token)
        assert made["createUser"]["errors"] == []

    assert await events(api, admin_token, actions=["USER_CREATED"]) == [
        ("sub", "USER_CREATED"),
        ("root", "USER_CREATED"),
    ]
    assert await events(api, admin_token, actor="sub") == [("sub", "USER_CREATED")]
    assert await events(api, admin_token, locationId=berlin_id, actions=["USER_CREATED"]) == [
        ("root", "USER_CREATED")
    ]
    assert await events(api, admin_token, actions=["NO_SUCH_ACTION"]) == []
    assert await events(api, admin_token, since=before.isoformat(), actor="root") == [
        ("root", "USER_CREATED")
    ]
    assert await events(api, admin_token, until=before.isoformat(), actor="root") == []
    # A sub-administrator asking for a location outside its own gets nothing of it.
    assert await events(api, sub, locationId=berlin_id) == []
    assert await events(api, sub, actions=["USER_CREATED"]) == [("sub", "USER_CREATED")]


USER_ID = """query($login: String!) {
  users(first: 1, filter: {search: $login}) { edges { node { id } } }
}"""
MOVE = """mutation($id: ID!, $l: ID!) {
  updateUser(input: {id: $id, locationId: $l}) { errors { code } }
}"""


async def test_the_user_filter_keeps_to_the_events_about_one_user(
    api: Api, admin_token: str
) -> None:
    berlin = await api.services.locations.create_location(
        SYSTEM, locations.NewLocation(name="Berlin")
    )
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
    berlin_id, munich_id = to_global_id("Location", berlin.id), to_global_id("Location", munich.id)
    for login, location, token in (("anna", berlin_id, admin_token), ("hans", munich_id, sub)):
        made = await api.data(CREATE_USER, {"l": location, "login": login}, token=token)
        assert made["createUser"]["errors"] == []
    ids = {}
    for login in ("anna", "hans"):
        found = await api.data(USER_ID, {"login": login}, token=admin_token)
        ids[login] = found["users"]["edges"][0]["node"]["id"]

    # A system administrator: the events about either user, and no other.
    assert await events(api, admin_token, userId=ids["anna"]) == [("root", "USER_CREATED")]
    assert await events(api, admin_token, userId=ids["hans"]) == [("sub", "USER_CREATED")]
    assert await events(api, admin_token, userId=ids["hans"], actor="root") == []
    gone = to_global_id("User", 999_999)
    assert await events(api, admin_token, userId=gone) == []
    # A sub-administrator: its own users' events; a user elsewhere gets no events, no error.
    assert await events(api, sub, userId=ids["hans"]) == [("sub", "USER_CREATED")]
    assert await events(api, sub, userId=ids["anna"]) == []
    assert await events(api, sub, userId=gone) == []
    assert await events(api, sub, userId=ids["hans"], locationId=berlin_id) == []

    # The older argument and the filter: both must hold.
    both = """query($t: ID, $filter: AuditEventFilter) {
      auditEvents(first: 50, targetUserId: $t, filter: $filter) { totalCount }
    }"""
    for user, expected in (("anna", 0), ("hans", 1)):
        found = await api.data(
            both, {"t": ids[user], "filter": {"userId": ids["hans"]}}, token=admin_token
        )
        assert found["auditEvents"]["totalCount"] == expected

    # Moved to Berlin: the Munich administrator no longer asks for Hans's events, though
    # the event recorded for Munich stays in its unfiltered trail.
    moved = await api.data(MOVE, {"id": ids["hans"], "l": berlin_id}, token=admin_token)
    assert moved["updateUser"]["errors"] == []
    assert await events(api, sub, userId=ids["hans"]) == []
    assert ("sub", "USER_CREATED") in await events(api, sub)
    assert await events(api, admin_token, userId=ids["hans"]) == [
        ("root", "USER_UPDATED"),
        ("sub", "USER_CREATED"),
    ]


async def test_a_user_filter_of_another_type_is_not_found(api: Api, admin_token: str) -> None:
    body = await api.post(
        EVENTS, {"filter": {"userId": to_global_id("Location", 1)}}, token=admin_token
    )
    problems = body["errors"][0]["extensions"]["problems"]
    assert problems == [
        {"code": "USER_NOT_FOUND", "message": "No such user.", "field": ["filter", "userId"]}
    ]

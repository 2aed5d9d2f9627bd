"""A sub-administrator acts only within its locations; the rest does not exist for it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from domain.principals import SYSTEM
from domain.services import administrators, locations, users
from gql.ids import to_global_id
from tests.api.conftest import ADMIN_PASSWORD, Api
from tests.api.ids import pk


@dataclass
class Scoped:
    token: str
    own_user: str
    other_user: str
    other_location: str


@pytest.fixture
async def scoped(api: Api) -> Scoped:
    services = api.services
    munich = await services.locations.create_location(SYSTEM, locations.NewLocation(name="Munich"))
    berlin = await services.locations.create_location(SYSTEM, locations.NewLocation(name="Berlin"))
    own = await services.users.create_user(
        SYSTEM, users.NewUser(login="m.user", last_name="M", location_id=munich.id)
    )
    other = await services.users.create_user(
        SYSTEM, users.NewUser(login="b.user", last_name="B", location_id=berlin.id)
    )
    await services.administrators.create_administrator(
        SYSTEM,
        administrators.NewAdministrator(
            login="munich-admin",
            password=ADMIN_PASSWORD,
            last_name="Sub",
            location_ids=[munich.id],
        ),
    )
    return Scoped(
        token=await api.sign_in_admin("munich-admin"),
        own_user=to_global_id("User", own.id),
        other_user=to_global_id("User", other.id),
        other_location=to_global_id("Location", berlin.id),
    )


class TestSubAdministrator:
    async def test_lists_leave_out_what_lies_outside(self, api: Api, scoped: Scoped) -> None:
        data = await api.data(
            "{ users { totalCount edges { node { login } } } locations { name } "
            "administrators { login } }",
            token=scoped.token,
        )
        assert data["users"]["totalCount"] == 1
        assert [e["node"]["login"] for e in data["users"]["edges"]] == ["m.user"]
        assert data["locations"] == [{"name": "Munich"}]
        assert data["administrators"] == [{"login": "munich-admin"}]

    async def test_a_user_outside_is_not_found(self, api: Api, scoped: Scoped) -> None:
        node = "query($id: ID!) { node(id: $id) { id } }"
        assert (await api.data(node, {"id": scoped.other_user}, token=scoped.token)) == {
            "node": None
        }
        assert (await api.data(node, {"id": scoped.own_user}, token=scoped.token))["node"]
        updated = await api.data(
            'mutation($id: ID!) { updateUser(input: {id: $id, lastName: "X"}) '
            "{ user { id } errors { code field } } }",
            {"id": scoped.other_user},
            token=scoped.token,
        )
        assert updated["updateUser"] == {
            "user": None,
            "errors": [{"code": "USER_NOT_FOUND", "field": ["input", "id"]}],
        }

    async def test_unknown_and_outside_users_get_the_same_answer(
        self, api: Api, scoped: Scoped
    ) -> None:
        delete = "mutation($id: ID!) { deleteUser(id: $id) { ok errors { code message } } }"
        outside = await api.data(delete, {"id": scoped.other_user}, token=scoped.token)
        unknown = await api.data(
            delete, {"id": to_global_id("User", pk(scoped.other_user) + 1000)}, token=scoped.token
        )
        assert outside == unknown

    async def test_cannot_create_locations(self, api: Api, scoped: Scoped) -> None:
        body = await api.post(
            'mutation { createLocation(input: {name: "Hamburg"}) { location { id } } }',
            token=scoped.token,
        )
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    async def test_cannot_place_a_user_in_another_location(self, api: Api, scoped: Scoped) -> None:
        data = await api.data(
            'mutation($loc: ID!) { createUser(input: {login: "x", lastName: "X", '
            "locationId: $loc}) { user { id } errors { code field } } }",
            {"loc": scoped.other_location},
            token=scoped.token,
        )
        assert data["createUser"]["errors"] == [
            {"code": "LOCATION_NOT_FOUND", "field": ["input", "locationId"]}
        ]

    async def test_sees_the_deletion_of_its_users_in_the_audit_log(
        self, api: Api, scoped: Scoped
    ) -> None:
        delete = "mutation($id: ID!) { deleteUser(id: $id) { ok errors { code } } }"
        deleted = await api.data(delete, {"id": scoped.own_user}, token=scoped.token)
        assert deleted["deleteUser"] == {"ok": True, "errors": []}
        query = (
            "{ auditEvents(first: 10) { totalCount "
            "edges { node { action targetUser { id } details } } } }"
        )

        events = (await api.data(query, token=scoped.token))["auditEvents"]

        assert [e["node"]["action"] for e in events["edges"]] == [
            "USER_DELETED",
            "USER_CREATED",
            "LOCATION_CREATED",  # Munich's own
        ]
        assert events["edges"][0]["node"]["targetUser"] is None
        assert events["edges"][0]["node"]["details"]["login"] == "m.user"
        # Berlin's events stay out of sight.
        assert events["totalCount"] == 3

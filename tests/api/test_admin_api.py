"""Administration through HTTP: the rules that clients depend on most."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api

CREATE_LOCATION = """
mutation($input: CreateLocationInput!) {
  createLocation(input: $input) { location { id name relationshipPolicy } errors { code field } }
}"""
CREATE_USER = """
mutation($input: CreateUserInput!) {
  createUser(input: $input) { user { id login } errors { code message field } }
}"""
CREATE_TEAM = """
mutation($input: CreateTeamInput!) {
  createTeam(input: $input) { team { id members { login } } errors { code field } }
}"""
UPDATE_TEAM = """
mutation($input: UpdateTeamInput!) {
  updateTeam(input: $input) { team { id } errors { code field } }
}"""


async def location(api: Api, token: str, name: str, **extra: Any) -> str:
    data = await api.data(CREATE_LOCATION, {"input": {"name": name, **extra}}, token=token)
    assert data["createLocation"]["errors"] == []
    location_id: str = data["createLocation"]["location"]["id"]
    return location_id


async def user(api: Api, token: str, **fields: Any) -> dict[str, Any]:
    data = await api.data(CREATE_USER, {"input": {"lastName": "Doe", **fields}}, token=token)
    result: dict[str, Any] = data["createUser"]
    return result


class TestUsers:
    async def test_login_and_work_phone_are_unique(self, api: Api, admin_token: str) -> None:
        loc = await location(api, admin_token, "Berlin")
        first = await user(api, admin_token, login="anna", locationId=loc, workPhone="+49 30 100")
        assert first["errors"] == []
        again = await user(api, admin_token, login="anna", locationId=loc, workPhone="+49 30 100")
        assert again["user"] is None
        assert {e["code"] for e in again["errors"]} == {"LOGIN_TAKEN", "WORK_PHONE_TAKEN"}

    async def test_bad_input_names_the_field(self, api: Api, admin_token: str) -> None:
        loc = await location(api, admin_token, "Berlin")
        bad = await user(api, admin_token, login="has space", locationId=loc, email="nope")
        assert sorted((e["code"], tuple(e["field"])) for e in bad["errors"]) == [
            ("INVALID_EMAIL", ("input", "email")),
            ("INVALID_LOGIN", ("input", "login")),
        ]

    async def test_an_initial_password_must_satisfy_the_policy(
        self, api: Api, admin_token: str
    ) -> None:
        loc = await location(api, admin_token, "Berlin")
        weak = await user(api, admin_token, login="anna", locationId=loc, password="short")
        assert weak["errors"][0]["code"] == "PASSWORD_POLICY"
        assert "at least 12 characters" in weak["errors"][0]["message"]


class TestLocations:
    async def test_a_location_with_users_is_not_deleted(self, api: Api, admin_token: str) -> None:
        loc = await location(api, admin_token, "Berlin")
        await user(api, admin_token, login="anna", locationId=loc)
        delete = "mutation($id: ID!) { deleteLocation(id: $id) { ok errors { code } } }"
        refused = await api.data(delete, {"id": loc}, token=admin_token)
        assert refused["deleteLocation"] == {"ok": False, "errors": [{"code": "LOCATION_IN_USE"}]}
        empty = await location(api, admin_token, "Empty")
        deleted = await api.data(delete, {"id": empty}, token=admin_token)
        assert deleted["deleteLocation"] == {"ok": True, "errors": []}

    async def test_location_names_are_unique(self, api: Api, admin_token: str) -> None:
        await location(api, admin_token, "Berlin")
        data = await api.data(CREATE_LOCATION, {"input": {"name": "Berlin"}}, token=admin_token)
        assert data["createLocation"]["errors"] == [
            {"code": "NAME_TAKEN", "field": ["input", "name"]}
        ]


class TestTeams:
    async def test_a_team_keeps_at_least_one_member(self, api: Api, admin_token: str) -> None:
        loc = await location(api, admin_token, "Berlin")
        anna = (await user(api, admin_token, login="anna", locationId=loc))["user"]["id"]
        empty = await api.data(
            CREATE_TEAM, {"input": {"name": "Empty", "memberIds": []}}, token=admin_token
        )
        assert empty["createTeam"]["errors"][0]["code"] == "TEAM_NEEDS_MEMBER"
        made = await api.data(
            CREATE_TEAM, {"input": {"name": "Solo", "memberIds": [anna]}}, token=admin_token
        )
        team_id = made["createTeam"]["team"]["id"]
        emptied = await api.data(
            UPDATE_TEAM, {"input": {"id": team_id, "memberIds": []}}, token=admin_token
        )
        assert emptied["updateTeam"]["errors"][0]["code"] == "TEAM_NEEDS_MEMBER"


class TestSelfService:
    async def test_extend_only_refuses_a_level_below_the_default(
        self, api: Api, admin_token: str
    ) -> None:
        loc = await location(
            api,
            admin_token,
            "Munich",
            relationshipPolicy="EXTEND_ONLY",
            defaultRelationship="EMPLOYEE",
        )
        await user(api, admin_token, login="anna", locationId=loc, password="Temporary-Passw0rd-1")
        bob = (await user(api, admin_token, login="bob", locationId=loc))["user"]["id"]
        await api.take_over_password("anna", "Temporary-Passw0rd-1", "Own-Passw0rd!")
        token = (await api.sign_in_user("anna", "Own-Passw0rd!"))["token"]
        set_level = (
            "mutation($t: ID!, $l: RelationshipLevel!) { setMyRelationship(targetUserId: $t, "
            "level: $l) { ok errors { code } } }"
        )
        lower = await api.data(set_level, {"t": bob, "l": "EXTERNAL"}, token=token)
        assert lower["setMyRelationship"] == {
            "ok": False,
            "errors": [{"code": "RELATIONSHIP_POLICY"}],
        }
        higher = await api.data(set_level, {"t": bob, "l": "ASSISTANT"}, token=token)
        assert higher["setMyRelationship"]["ok"] is True
        me = await api.data(
            "query($t: ID!) { me { relationships { target { login } level source } "
            "relationshipTo(userId: $t) { level source } } }",
            {"t": bob},
            token=token,
        )
        assert me["me"]["relationships"] == [
            {"target": {"login": "bob"}, "level": "ASSISTANT", "source": "USER"}
        ]
        assert me["me"]["relationshipTo"] == {"level": "ASSISTANT", "source": "USER"}

    async def test_own_settings_lay_over_the_locations(self, api: Api, admin_token: str) -> None:
        loc = await location(
            api,
            admin_token,
            "Berlin",
            clientSettings=[{"key": "language", "value": "de"}, {"key": "theme", "value": "dark"}],
        )
        await user(api, admin_token, login="anna", locationId=loc, password="Temporary-Passw0rd-1")
        await api.take_over_password("anna", "Temporary-Passw0rd-1", "Own-Passw0rd!")
        token = (await api.sign_in_user("anna", "Own-Passw0rd!"))["token"]
        await api.data(
            'mutation { setMyClientSetting(key: "language", value: "en") { ok } }', token=token
        )
        me = await api.data(
            "{ me { clientSettings { key value } clientSettingOverrides { key value } } }",
            token=token,
        )
        assert me["me"]["clientSettings"] == [
            {"key": "language", "value": "en"},
            {"key": "theme", "value": "dark"},
        ]
        assert me["me"]["clientSettingOverrides"] == [{"key": "language", "value": "en"}]


class TestAudit:
    async def test_changes_are_audited_without_secrets(self, api: Api, admin_token: str) -> None:
        loc = await location(api, admin_token, "Berlin")
        await user(api, admin_token, login="anna", locationId=loc, password="Berlin-Passw0rd!")
        data = await api.data(
            "{ auditEvents(first: 10) { totalCount edges { node { actor action details "
            "targetUser { login } } } } }",
            token=admin_token,
        )
        events = [e["node"] for e in data["auditEvents"]["edges"]]
        assert [e["action"] for e in events][:2] == ["USER_CREATED", "LOCATION_CREATED"]
        assert events[0]["actor"] == "root"
        assert events[0]["targetUser"] == {"login": "anna"}
        assert "Berlin-Passw0rd!" not in str(data)

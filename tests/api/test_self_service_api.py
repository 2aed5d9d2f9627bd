"""The Connect Client's view: private data of colleagues, sessions after a password change."""

from __future__ import annotations

from tests.api.conftest import Api

TEMPORARY_PASSWORD = "Temporary-Passw0rd-1"
JANE_PASSWORD = "Window-Passw0rd!"
OTTO_PASSWORD = "Garden-Passw0rd!"

PRIVATE_FIELDS = """
  login
  contacts { displayName }
  relationships { level }
  relationshipTo(userId: $other) { level }
  clientSettings { key }
  presenceSettings { key }
  clientSettingOverrides { key }
  presenceSettingOverrides { key }
"""
USER_PRIVATE = (
    "query($id: ID!, $other: ID!) { node(id: $id) { ... on User {" + PRIVATE_FIELDS + "} } }"
)
ME_PRIVATE = "query($other: ID!) { me {" + PRIVATE_FIELDS + "} }"


async def colleagues(api: Api, admin_token: str) -> tuple[str, str]:
    """jane and otto in one location; otto has a contact, a relationship and settings."""
    location = await api.data(
        'mutation { createLocation(input: {name: "Berlin", '
        'clientSettings: [{key: "language", value: "de"}], '
        'presenceSettings: [{key: "away", value: 5}]}) { location { id } errors { code } } }',
        token=admin_token,
    )
    location_id = location["createLocation"]["location"]["id"]
    ids = []
    for login, password in (("jane", JANE_PASSWORD), ("otto", OTTO_PASSWORD)):
        created = await api.data(
            "mutation($input: CreateUserInput!) { createUser(input: $input) "
            "{ user { id } errors { code } } }",
            {
                "input": {
                    "login": login,
                    "lastName": "Doe",
                    "locationId": location_id,
                    "password": TEMPORARY_PASSWORD,
                }
            },
            token=admin_token,
        )
        ids.append(created["createUser"]["user"]["id"])
        await api.take_over_password(login, TEMPORARY_PASSWORD, password)
    jane, otto = ids
    otto_token = (await api.sign_in_user("otto", OTTO_PASSWORD))["token"]
    for mutation in (
        'mutation { setMyClientSetting(key: "theme", value: "dark") { ok } }',
        'mutation { setMyPresenceSetting(key: "busy", value: true) { ok } }',
        'mutation { addMyContact(input: {userId: "' + jane + '"}) { errors { code } } }',
        'mutation { setMyRelationship(targetUserId: "' + jane + '", level: ASSISTANT) { ok } }',
    ):
        assert "errors" not in await api.post(mutation, token=otto_token), mutation
    return jane, otto


class TestPrivateDataOfColleagues:
    async def test_a_user_sees_no_private_data_of_a_colleague(
        self, api: Api, admin_token: str
    ) -> None:
        jane, otto = await colleagues(api, admin_token)
        jane_token = (await api.sign_in_user("jane", JANE_PASSWORD))["token"]

        seen = await api.data(USER_PRIVATE, {"id": otto, "other": jane}, token=jane_token)

        assert seen["node"] == {
            "login": "otto",
            "contacts": [],
            "relationships": [],
            "relationshipTo": None,
            "clientSettings": [],
            "presenceSettings": [],
            "clientSettingOverrides": [],
            "presenceSettingOverrides": [],
        }

    async def test_a_user_sees_its_own_and_an_administrator_everything(
        self, api: Api, admin_token: str
    ) -> None:
        jane, otto = await colleagues(api, admin_token)
        otto_token = (await api.sign_in_user("otto", OTTO_PASSWORD))["token"]

        own = (await api.data(ME_PRIVATE, {"other": jane}, token=otto_token))["me"]
        by_admin = (await api.data(USER_PRIVATE, {"id": otto, "other": jane}, token=admin_token))[
            "node"
        ]

        for seen in (own, by_admin):
            assert seen["contacts"] == [{"displayName": "Doe"}]
            assert seen["relationshipTo"] == {"level": "ASSISTANT"}
            assert {"level": "ASSISTANT"} in seen["relationships"]
            assert seen["clientSettings"] == [{"key": "language"}, {"key": "theme"}]
            assert seen["presenceSettings"] == [{"key": "away"}, {"key": "busy"}]
            assert seen["clientSettingOverrides"] == [{"key": "theme"}]
            assert seen["presenceSettingOverrides"] == [{"key": "busy"}]

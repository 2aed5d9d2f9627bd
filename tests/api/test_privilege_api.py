"""Privilege through HTTP: what an API token may not do, the administrators' life
cycle, and what each caller reads of the gateway and of other users."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest

from domain.principals import SYSTEM
from domain.services import administrators, groups, locations, teams, users
from gql.ids import to_global_id
from tests.api.conftest import ADMIN_PASSWORD, Api

USER_PASSWORD = "Us3r-Passw0rd!x"

CREATE_ADMINISTRATOR = """
mutation($login: String!) {
  createAdministrator(input: {login: $login, password: "Another-Passw0rd!", lastName: "X",
    locationIds: []}) { administrator { id } errors { code } }
}"""
CREATE_API_TOKEN = (
    "mutation($n: String!) { createApiToken(name: $n) { apiToken { id } token errors { code } } }"
)
REVOKE_API_TOKEN = "mutation($id: ID!) { revokeApiToken(id: $id) { ok errors { code } } }"
BLOCK = """
mutation($id: ID!) {
  blockAdministrator(id: $id) { administrator { login blocked } errors { code field } }
}"""
UNBLOCK = """
mutation($id: ID!) {
  unblockAdministrator(id: $id) { administrator { login blocked } errors { code field } }
}"""
DELETE = "mutation($id: ID!) { deleteAdministrator(id: $id) { ok errors { code field } } }"
ADMINISTRATORS = "{ administrators { login blocked } }"
SIGN_IN_OTHER = (
    f'mutation {{ adminSignIn(login: "other", password: "{ADMIN_PASSWORD}") '
    "{ token errors { code } } }"
)


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


@dataclass
class Admins:
    root: str  # root's session
    root_id: str
    other_id: str  # a second system administrator, "other"


@pytest.fixture
async def admins(api: Api, admin_token: str) -> Admins:
    other = await api.services.administrators.create_administrator(
        SYSTEM,
        administrators.NewAdministrator(login="other", password=ADMIN_PASSWORD, last_name="O"),
    )
    listed = await api.data("{ administrators { id login } }", token=admin_token)
    root_id = next(a["id"] for a in listed["administrators"] if a["login"] == "root")
    return Admins(admin_token, root_id, to_global_id("Administrator", other.id))


async def api_token(api: Api, session: str, name: str = "crm") -> tuple[str, str]:
    """(id, secret) of a new API token."""
    made = (await api.data(CREATE_API_TOKEN, {"n": name}, token=session))["createApiToken"]
    assert made["errors"] == [], made
    return made["apiToken"]["id"], made["token"]


class TestAnApiTokenMakesNoCredential:
    """Finding: token → createAdministrator → adminSignIn → createApiToken all succeeded."""

    async def test_a_system_administrators_token_makes_no_administrator(
        self, api: Api, admins: Admins
    ) -> None:
        _, secret = await api_token(api, admins.root)

        refused = await api.post(CREATE_ADMINISTRATOR, {"login": "backdoor"}, token=secret)

        assert error_codes(refused) == ["FORBIDDEN"]
        assert refused["data"] is None
        listed = await api.data(ADMINISTRATORS, token=admins.root)
        assert [a["login"] for a in listed["administrators"]] == ["other", "root"]
        failed = await api.data(
            'mutation { adminSignIn(login: "backdoor", password: "Another-Passw0rd!") '
            "{ token errors { code } } }"
        )
        assert failed["adminSignIn"] == {"token": None, "errors": [{"code": "INVALID_CREDENTIALS"}]}

    async def test_a_token_makes_and_revokes_no_api_token(self, api: Api, admins: Admins) -> None:
        token_id, secret = await api_token(api, admins.root)

        assert error_codes(await api.post(CREATE_API_TOKEN, {"n": "more"}, token=secret)) == [
            "FORBIDDEN"
        ]
        assert error_codes(await api.post(REVOKE_API_TOKEN, {"id": token_id}, token=secret)) == [
            "FORBIDDEN"
        ]
        listed = await api.data("{ apiTokens { name revokedAt } }", token=admins.root)
        assert listed["apiTokens"] == [{"name": "crm", "revokedAt": None}]

    @pytest.mark.parametrize("mutation", [BLOCK, UNBLOCK, DELETE])
    async def test_a_token_blocks_unblocks_and_deletes_no_administrator(
        self, api: Api, admins: Admins, mutation: str
    ) -> None:
        _, secret = await api_token(api, admins.root)

        refused = await api.post(mutation, {"id": admins.other_id}, token=secret)

        assert error_codes(refused) == ["FORBIDDEN"]
        listed = await api.data(ADMINISTRATORS, token=admins.root)
        assert listed["administrators"] == [
            {"login": "other", "blocked": False},
            {"login": "root", "blocked": False},
        ]


class TestBlockingAnAdministrator:
    async def test_ends_its_sessions_and_tokens_which_stay_dead_after_unblocking(
        self, api: Api, admins: Admins
    ) -> None:
        session = await api.sign_in_admin("other")
        _, secret = await api_token(api, session)
        assert (await api.data(ADMINISTRATORS, token=secret))["administrators"]

        blocked = await api.data(BLOCK, {"id": admins.other_id}, token=admins.root)
        assert blocked["blockAdministrator"] == {
            "administrator": {"login": "other", "blocked": True},
            "errors": [],
        }
        for token in (session, secret):
            assert error_codes(await api.post(ADMINISTRATORS, token=token)) == ["UNAUTHENTICATED"]
        refused = await api.data(SIGN_IN_OTHER)
        assert refused["adminSignIn"] == {"token": None, "errors": [{"code": "ACCOUNT_BLOCKED"}]}

        unblocked = await api.data(UNBLOCK, {"id": admins.other_id}, token=admins.root)
        assert unblocked["unblockAdministrator"]["administrator"] == {
            "login": "other",
            "blocked": False,
        }
        for token in (session, secret):
            assert error_codes(await api.post(ADMINISTRATORS, token=token)) == ["UNAUTHENTICATED"]
        fresh = await api.sign_in_admin("other")
        assert (await api.data(ADMINISTRATORS, token=fresh))["administrators"]
        tokens = await api.data("{ apiTokens { name revokedAt } }", token=admins.root)
        assert [t["revokedAt"] is not None for t in tokens["apiTokens"]] == [True]

    async def test_is_audited(self, api: Api, admins: Admins) -> None:
        await api.data(BLOCK, {"id": admins.other_id}, token=admins.root)
        await api.data(UNBLOCK, {"id": admins.other_id}, token=admins.root)
        await api.data(DELETE, {"id": admins.other_id}, token=admins.root)

        events = await api.data(
            "{ auditEvents(first: 3) { edges { node { actor action details } } } }",
            token=admins.root,
        )
        assert [
            (e["node"]["actor"], e["node"]["action"], e["node"]["details"]["login"])
            for e in events["auditEvents"]["edges"]
        ] == [
            ("root", "ADMINISTRATOR_DELETED", "other"),
            ("root", "ADMINISTRATOR_UNBLOCKED", "other"),
            ("root", "ADMINISTRATOR_BLOCKED", "other"),
        ]

    async def test_not_oneself_and_not_by_a_sub_administrator(
        self, api: Api, admins: Admins
    ) -> None:
        munich = await api.services.locations.create_location(
            SYSTEM, locations.NewLocation(name="Munich")
        )
        await api.services.administrators.create_administrator(
            SYSTEM,
            administrators.NewAdministrator(
                login="sub", password=ADMIN_PASSWORD, last_name="S", location_ids=[munich.id]
            ),
        )
        sub = await api.sign_in_admin("sub")

        for mutation in (BLOCK, DELETE):
            own = await api.data(mutation, {"id": admins.root_id}, token=admins.root)
            (payload,) = own.values()
            assert payload["errors"] == [{"code": "OWN_ACCOUNT", "field": ["id"]}]
            forbidden = await api.post(mutation, {"id": admins.other_id}, token=sub)
            assert error_codes(forbidden) == ["FORBIDDEN"]
        unknown = await api.data(
            BLOCK, {"id": to_global_id("Administrator", 999)}, token=admins.root
        )
        assert unknown["blockAdministrator"]["errors"] == [
            {"code": "ADMINISTRATOR_NOT_FOUND", "field": ["id"]}
        ]

    async def test_two_system_administrators_blocking_each_other_leave_one(
        self, api: Api, admins: Admins
    ) -> None:
        other = await api.sign_in_admin("other")

        answers = await asyncio.gather(
            api.post(BLOCK, {"id": admins.other_id}, token=admins.root),
            api.post(BLOCK, {"id": admins.root_id}, token=other),
        )

        # One wins; the other is refused: as the last system administrator, or because
        # its own block came first.
        done = [
            a
            for a in answers
            if "errors" not in a and a["data"]["blockAdministrator"]["administrator"]
        ]
        assert len(done) == 1
        async with api.services.uow.reading() as uow:
            left = [a.login for a in await uow.administrators.list() if not a.blocked]
        assert len(left) == 1


class TestDeletingAnAdministrator:
    async def test_it_cannot_sign_in_and_its_credentials_are_gone(
        self, api: Api, admins: Admins
    ) -> None:
        session = await api.sign_in_admin("other")
        _, secret = await api_token(api, session)

        deleted = await api.data(DELETE, {"id": admins.other_id}, token=admins.root)

        assert deleted["deleteAdministrator"] == {"ok": True, "errors": []}
        for token in (session, secret):
            assert error_codes(await api.post(ADMINISTRATORS, token=token)) == ["UNAUTHENTICATED"]
        refused = await api.data(SIGN_IN_OTHER)
        assert refused["adminSignIn"] == {
            "token": None,
            "errors": [{"code": "INVALID_CREDENTIALS"}],
        }
        assert (await api.data(ADMINISTRATORS, token=admins.root))["administrators"] == [
            {"login": "root", "blocked": False}
        ]
        assert (await api.data("{ apiTokens { id } }", token=admins.root))["apiTokens"] == []


GATEWAY = """
{ emailGateway { configured host port security username hasPassword senderAddress senderName } }
"""


class TestGatewayReadRights:
    async def test_a_sub_administrator_learns_only_whether_one_is_configured(
        self, api: Api, admin_token: str
    ) -> None:
        munich = await api.services.locations.create_location(
            SYSTEM, locations.NewLocation(name="Munich")
        )
        await api.services.administrators.create_administrator(
            SYSTEM,
            administrators.NewAdministrator(
                login="sub", password=ADMIN_PASSWORD, last_name="S", location_ids=[munich.id]
            ),
        )
        sub = await api.sign_in_admin("sub")
        _, sub_api_token = await api_token(api, sub)
        configured = await api.data(
            'mutation { configureEmailGateway(input: {host: "smtp.example.org", port: 587, '
            'security: STARTTLS, username: "connect-mailer", password: "smtp-Secret-1", '
            'senderAddress: "connect@example.org", senderName: "Connect"}) { errors { code } } }',
            token=admin_token,
        )
        assert configured["configureEmailGateway"]["errors"] == []

        as_root = (await api.data(GATEWAY, token=admin_token))["emailGateway"]
        assert as_root["username"] == "connect-mailer"
        assert as_root["host"] == "smtp.example.org"
        for token in (sub, sub_api_token):
            assert (await api.data(GATEWAY, token=token))["emailGateway"] == {
                "configured": True,
                "host": None,
                "port": None,
                "security": "NONE",
                "username": None,
                "hasPassword": False,
                "senderAddress": None,
                "senderName": None,
            }


@dataclass
class Directory:
    anna: str  # anna's session (Berlin)
    carl_id: str  # carl, in Munich


@pytest.fixture
async def directory(api: Api, admin_token: str) -> Directory:
    """anna in Berlin; carl in Munich, with e-mail, phones, group, VIP flag and settings;
    both in one team; anna has carl as a contact and a relationship towards him."""
    services = api.services
    berlin = await services.locations.create_location(SYSTEM, locations.NewLocation(name="Berlin"))
    munich = await services.locations.create_location(SYSTEM, locations.NewLocation(name="Munich"))
    group = await services.groups.create_group(
        SYSTEM, groups.NewConfigurationGroup(location_id=munich.id, name="Board")
    )
    anna = await services.users.create_user(
        SYSTEM,
        users.NewUser(
            login="anna",
            last_name="Adler",
            location_id=berlin.id,
            email="anna@example.org",
            password=USER_PASSWORD,
        ),
    )
    carl = await services.users.create_user(
        SYSTEM,
        users.NewUser(
            login="carl",
            first_name="Carl",
            last_name="Berg",
            location_id=munich.id,
            email="carl@example.org",
            work_phone="+49 89 100",
            mobile_phone="+49 170 100",
            configuration_group_id=group.id,
            is_vip=True,
        ),
    )
    await services.teams.create_team(
        SYSTEM, teams.NewTeam(name="Project", member_ids=[anna.id, carl.id])
    )
    session = (await api.sign_in_user("anna", USER_PASSWORD))["token"]
    carl_id = to_global_id("User", carl.id)
    added = await api.data(
        "mutation($id: ID!) { addMyContact(input: {userId: $id}) { errors { code } } }",
        {"id": carl_id},
        token=session,
    )
    assert added["addMyContact"]["errors"] == []
    related = await api.data(
        "mutation($id: ID!) { setMyRelationship(targetUserId: $id, level: ASSISTANT) "
        "{ errors { code } } }",
        {"id": carl_id},
        token=session,
    )
    assert related["setMyRelationship"]["errors"] == []
    del admin_token
    return Directory(anna=session, carl_id=carl_id)


# A colleague's directory entry, as a Connect Client user reads it everywhere.
CARL_AS_COLLEAGUE = {
    "login": "carl",
    "firstName": "Carl",
    "lastName": "Berg",
    "displayName": "Carl Berg",
    "email": None,
    "workPhone": "+49 89 100",
    "mobilePhone": "+49 170 100",
    "location": {"name": "Munich", "configurationGroups": []},
    "configurationGroup": None,
    "isVip": False,
    "blocked": False,
    "passwordChangeRequired": False,
    "voicemailPinState": "NOT_SET",
    "teams": [],
    "defaultRelationship": None,
    "relationships": [],
    "relationshipTo": None,
    "clientSettings": [],
    "contacts": [],
}
USER_FIELDS = """
  login firstName lastName displayName email workPhone mobilePhone
  location { name configurationGroups { name } }
  configurationGroup { name } isVip blocked passwordChangeRequired voicemailPinState
  teams { name } defaultRelationship relationships { level } relationshipTo(userId: $me) { level }
  clientSettings { key } contacts { displayName }
"""


class TestWhatAConnectClientUserReadsOfColleagues:
    async def test_through_node_only_the_directory_entry(
        self, api: Api, directory: Directory
    ) -> None:
        me = (await api.data("{ me { id email } }", token=directory.anna))["me"]
        assert me["email"] == "anna@example.org"

        data = await api.data(
            f"query($id: ID!, $me: ID!) {{ node(id: $id) {{ ... on User {{ {USER_FIELDS} }} }} }}",
            {"id": directory.carl_id, "me": me["id"]},
            token=directory.anna,
        )

        assert data["node"] == CARL_AS_COLLEAGUE

    async def test_through_teams_contacts_and_relationships_the_same(
        self, api: Api, directory: Directory
    ) -> None:
        me_id = (await api.data("{ me { id } }", token=directory.anna))["me"]["id"]
        answer = await api.data(
            f"""query($me: ID!) {{ me {{
              teams {{ members {{ ... on User {{ {USER_FIELDS} }} }} }}
              contacts {{ user {{ {USER_FIELDS} }} }}
              relationships {{ target {{ {USER_FIELDS} }} }}
              relationshipTo(userId: "{directory.carl_id}") {{ target {{ {USER_FIELDS} }} }}
            }} }}""",
            {"me": me_id},
            token=directory.anna,
        )
        data = answer["me"]

        (team,) = data["teams"]
        carl_in_team = [m for m in team["members"] if m["login"] == "carl"]
        assert carl_in_team == [CARL_AS_COLLEAGUE]
        assert [c["user"] for c in data["contacts"]] == [CARL_AS_COLLEAGUE]
        assert [r["target"] for r in data["relationships"]] == [CARL_AS_COLLEAGUE]
        assert data["relationshipTo"]["target"] == CARL_AS_COLLEAGUE

    async def test_no_user_list(self, api: Api, directory: Directory) -> None:
        body = await api.post("{ users { edges { node { email } } } }", token=directory.anna)
        assert error_codes(body) == ["FORBIDDEN"]

    async def test_administrators_read_the_whole_user(
        self, api: Api, admin_token: str, directory: Directory
    ) -> None:
        data = await api.data(
            "query($id: ID!) { node(id: $id) { ... on User { email isVip "
            "configurationGroup { name } teams { name } "
            "location { configurationGroups { name } } } } }",
            {"id": directory.carl_id},
            token=admin_token,
        )
        assert data["node"] == {
            "email": "carl@example.org",
            "isVip": True,
            "configurationGroup": {"name": "Board"},
            "teams": [{"name": "Project"}],
            "location": {"configurationGroups": [{"name": "Board"}]},
        }

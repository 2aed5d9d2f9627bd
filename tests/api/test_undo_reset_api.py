"""undoReset through HTTP: what a reset removed comes back, newer values stay, and
nothing secret is kept. Time moves by the app's FakeClock, never by sleeping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.model import Contact, RelationshipLevel
from domain.principals import SYSTEM
from domain.services import locations, users
from domain.services.administrators import NewAdministrator
from gql.ids import pk_of, to_global_id
from persistence.tables import metadata, reset_undo_records
from server.dispatcher import purge_expired_undo
from tests.api.conftest import ADMIN_PASSWORD, Api
from tests.api.test_mail_api import CONFIGURE, _field, dispatcher_services, gateway_input
from tests.fakes import FakeClock
from tests.smtp_server import SmtpServer

USER_PASSWORD = "Undo-Passw0rd!"
RESULTS = """
    results {
      userId status undoAvailableUntil user { login }
      actions { action status changes undoable errors { code } }
      warnings { code message } errors { code }
    }
    succeeded failed errors { code field }"""
RESET = f"""
mutation($ids: [ID!]!, $options: ResetUsersOptions!) {{
  resetUsers(ids: $ids, options: $options) {{ resetId {RESULTS} }}
}}"""
UNDO = f"""
mutation($resetId: ID!, $userIds: [ID!], $dryRun: Boolean!) {{
  undoReset(resetId: $resetId, userIds: $userIds, dryRun: $dryRun) {{ {RESULTS} }}
}}"""
STATE = """
query($id: ID!) { node(id: $id) { ... on User {
  relationships { target { login } level source }
  clientSettingOverrides { key value } presenceSettingOverrides { key value }
  contacts { displayName }
} } }"""
EVERYTHING_UNDOABLE = {
    "resetRelationships": True,
    "resetClientSettings": True,
    "resetPresenceSettings": True,
    "repairContactList": True,
}


@pytest.fixture
def api_clock() -> FakeClock:
    return FakeClock()


@dataclass
class Org:
    """Vera, a VIP in Berlin with her own relationships, settings and a stale contact."""

    vera: str
    ben: str
    carl: str
    source_id: int


@pytest.fixture
async def org(api: Api) -> Org:
    services = api.services
    berlin = await services.locations.create_location(SYSTEM, locations.NewLocation(name="Berlin"))
    made = {}
    for login in ("vera", "ben", "carl"):
        made[login] = await services.users.create_user(
            SYSTEM,
            users.NewUser(login=login, last_name=login.title(), location_id=berlin.id,
                          is_vip=login == "vera", password=USER_PASSWORD,
                          email=f"{login}@example.org"),
        )  # fmt: skip
    vera = made["vera"]
    source = await services.data_sources.create_data_source(SYSTEM, "Legacy CRM")
    async with services.uow as uow:
        await uow.relationships.set(vera.id, made["ben"].id, RelationshipLevel.ASSISTANT)
        await uow.relationships.set(vera.id, made["carl"].id, RelationshipLevel.BLOCKED)
        await uow.contacts.add(
            Contact(owner_id=vera.id, display_name="Old CRM entry", data_source_id=source.id,
                    external_id="crm-1")
        )  # fmt: skip
        stored = await uow.users.get(vera.id)
        assert stored is not None
        stored.client_settings = {"theme": "dark", "dial": 9}
        stored.presence_settings = {"away": 5}
        await uow.users.update(stored)
        await uow.commit()
    await services.data_sources.set_data_source_active(SYSTEM, source.id, False)
    ids = {login: to_global_id("User", user.id) for login, user in made.items()}
    return Org(vera=ids["vera"], ben=ids["ben"], carl=ids["carl"], source_id=source.id)


async def reset(api: Api, token: str, ids: list[str], **options: bool) -> Any:
    return (await api.data(RESET, {"ids": ids, "options": options}, token=token))["resetUsers"]


async def undo(
    api: Api, token: str, reset_id: str, user_ids: list[str] | None = None, dry_run: bool = False
) -> Any:
    variables = {"resetId": reset_id, "userIds": user_ids, "dryRun": dry_run}
    return (await api.data(UNDO, variables, token=token))["undoReset"]


async def state(api: Api, token: str, user_id: str) -> Any:
    return (await api.data(STATE, {"id": user_id}, token=token))["node"]


def own_levels(user_state: Any) -> dict[str, str]:
    return {
        r["target"]["login"]: r["level"]
        for r in user_state["relationships"]
        if r["source"] == "USER"
    }


def actions(result: Any) -> list[tuple[str, str, int]]:
    return [(a["action"], a["status"], a["changes"]) for a in result["actions"]]


async def audit(api: Api, token: str, action: str) -> list[Any]:
    events = await api.data(
        "{ auditEvents(first: 50) { edges { node { action details targetUser { login } } } } }",
        token=token,
    )
    return [e["node"] for e in events["auditEvents"]["edges"] if e["node"]["action"] == action]


class TestUndoReset:
    async def test_a_vips_relationships_come_back_once(
        self, api: Api, admin_token: str, org: Org, api_clock: FakeClock
    ) -> None:
        done = await reset(api, admin_token, [org.vera], resetRelationships=True)
        [result] = done["results"]
        assert "VIP_RELATIONSHIPS_DELETED" in [w["code"] for w in result["warnings"]]
        until = (api_clock.now() + timedelta(days=14)).isoformat()
        assert result["undoAvailableUntil"] == until
        assert result["actions"][0]["undoable"] is True
        assert own_levels(await state(api, admin_token, org.vera)) == {}
        [reset_event] = await audit(api, admin_token, "USER_RESET")
        assert reset_event["details"]["reset_id"] == done["resetId"]
        assert reset_event["details"]["undo_until"] == until

        undone = await undo(api, admin_token, done["resetId"])

        [result] = undone["results"]
        assert (result["userId"], result["status"]) == (org.vera, "SUCCEEDED")
        assert actions(result) == [("RELATIONSHIPS", "DONE", 2)]
        assert (result["warnings"], result["errors"]) == ([], [])
        assert own_levels(await state(api, admin_token, org.vera)) == {
            "ben": "ASSISTANT", "carl": "BLOCKED",
        }  # fmt: skip
        [event] = await audit(api, admin_token, "RESET_UNDONE")
        assert event["targetUser"] == {"login": "vera"}
        assert event["details"]["restored"] == {"RELATIONSHIPS": ["ben", "carl"]}

        again = await undo(api, admin_token, done["resetId"])
        [result] = again["results"]
        assert (result["status"], result["errors"]) == ("FAILED", [{"code": "ALREADY_UNDONE"}])
        assert len(await audit(api, admin_token, "RESET_UNDONE")) == 1

    async def test_settings_and_repaired_contacts_come_back(
        self, api: Api, admin_token: str, org: Org
    ) -> None:
        done = await reset(api, admin_token, [org.vera], **EVERYTHING_UNDOABLE)
        emptied = await state(api, admin_token, org.vera)
        assert (emptied["clientSettingOverrides"], emptied["contacts"]) == ([], [])

        undone = await undo(api, admin_token, done["resetId"], [org.vera])

        [result] = undone["results"]
        assert actions(result) == [
            ("RELATIONSHIPS", "DONE", 2),
            ("CLIENT_SETTINGS", "DONE", 2),
            ("PRESENCE_SETTINGS", "DONE", 1),
            ("CONTACT_LIST", "DONE", 1),
        ]
        back = await state(api, admin_token, org.vera)
        assert sorted(back["clientSettingOverrides"], key=lambda s: s["key"]) == [
            {"key": "dial", "value": 9}, {"key": "theme", "value": "dark"},
        ]  # fmt: skip
        assert back["presenceSettingOverrides"] == [{"key": "away", "value": 5}]
        assert back["contacts"] == [{"displayName": "Old CRM entry"}]

    async def test_what_the_user_changed_since_keeps_its_newer_value(
        self, api: Api, admin_token: str, org: Org
    ) -> None:
        done = await reset(api, admin_token, [org.vera], **EVERYTHING_UNDOABLE)
        vera_token = (await api.sign_in_user("vera", USER_PASSWORD))["token"]
        await api.services.data_sources.set_data_source_active(SYSTEM, org.source_id, True)
        for mutation in (
            f'mutation {{ setMyRelationship(targetUserId: "{org.ben}", level: EMPLOYEE) '
            "{ errors { code } } }",
            'mutation { setMyClientSetting(key: "theme", value: "light") { errors { code } } }',
            f'mutation {{ addMyContact(input: {{dataSourceId: "{source_gid(org)}", '
            'externalId: "crm-1", displayName: "CRM entry again"}) { errors { code } } }',
        ):
            answer = await api.data(mutation, token=vera_token)
            assert next(iter(answer.values()))["errors"] == [], mutation
        before = await state(api, admin_token, org.vera)

        dry = await undo(api, admin_token, done["resetId"], dry_run=True)

        assert await state(api, admin_token, org.vera) == before  # nothing stored
        [result] = dry["results"]
        assert actions(result) == [
            ("RELATIONSHIPS", "DONE", 1),  # carl; ben keeps EMPLOYEE
            ("CLIENT_SETTINGS", "DONE", 1),  # dial; theme keeps light
            ("PRESENCE_SETTINGS", "DONE", 1),
            ("CONTACT_LIST", "DONE", 0),  # added back
        ]
        conflicts = [w["message"] for w in result["warnings"] if w["code"] == "UNDO_CONFLICT"]
        assert len(conflicts) == 3
        assert len(result["warnings"]) == 3
        assert "ben" in conflicts[0]
        assert "EMPLOYEE" in conflicts[0]
        assert "'theme'" in conflicts[1]
        assert "CRM entry again" not in conflicts[2]
        assert "Old CRM entry" in conflicts[2]

        real = await undo(api, admin_token, done["resetId"])

        assert real["results"] == dry["results"]
        after = await state(api, admin_token, org.vera)
        assert own_levels(after) == {"ben": "EMPLOYEE", "carl": "BLOCKED"}
        assert {"key": "theme", "value": "light"} in after["clientSettingOverrides"]
        assert {"key": "dial", "value": 9} in after["clientSettingOverrides"]
        assert after["contacts"] == [{"displayName": "CRM entry again"}]
        [event] = await audit(api, admin_token, "RESET_UNDONE")
        assert event["details"]["conflicts"] == {
            "RELATIONSHIPS": ["ben"], "CLIENT_SETTINGS": ["theme"],
            "CONTACT_LIST": ["Old CRM entry"],
        }  # fmt: skip

    async def test_after_the_kept_time_the_undo_expires_and_the_purge_removes_it(
        self, api: Api, admin_token: str, org: Org, api_clock: FakeClock, engine: AsyncEngine
    ) -> None:
        done = await reset(api, admin_token, [org.vera], resetRelationships=True)
        api_clock.advance(days=14)
        token = await api.sign_in_admin("root")  # the first session has ended

        expired = await undo(api, token, done["resetId"], dry_run=True)
        [result] = expired["results"]
        assert result["errors"] == [{"code": "UNDO_EXPIRED"}]

        await purge_expired_undo(lambda: api.services)

        assert await count(engine, reset_undo_records) == 0
        purged = await undo(api, token, done["resetId"])
        assert purged["errors"] == [{"code": "UNDO_EXPIRED", "field": ["resetId"]}]
        assert own_levels(await state(api, token, org.vera)) == {}
        unknown = await undo(api, token, "no-such-reset")
        assert unknown["errors"] == [{"code": "RESET_NOT_FOUND", "field": ["resetId"]}]
        # A made-up id is not found, whatever time its prefix says.
        prefix = done["resetId"].partition("-")[0]
        for forged in ("00000000-0000-0000-0000-000000000000", f"{prefix}-forged"):
            answer = await undo(api, token, forged)
            assert answer["errors"] == [{"code": "RESET_NOT_FOUND", "field": ["resetId"]}]

    async def test_a_sub_administrator_undoes_only_users_of_its_locations(
        self, api: Api, admin_token: str, org: Org
    ) -> None:
        services = api.services
        munich = await services.locations.create_location(
            SYSTEM, locations.NewLocation(name="Munich")
        )
        mia = await services.users.create_user(
            SYSTEM, users.NewUser(login="mia", last_name="M", location_id=munich.id)
        )
        await services.administrators.create_administrator(
            SYSTEM,
            NewAdministrator(login="sub", password=ADMIN_PASSWORD, last_name="S",
                             location_ids=[munich.id]),
        )  # fmt: skip
        async with services.uow as uow:
            await uow.relationships.set(
                mia.id, pk_of(org.carl, "User"), RelationshipLevel.ASSISTANT
            )
            await uow.commit()
        mia_id = to_global_id("User", mia.id)
        both = await reset(api, admin_token, [org.vera, mia_id], resetRelationships=True)
        vera_only = await reset(api, admin_token, [org.vera], resetClientSettings=True)
        sub = await api.sign_in_admin("sub")

        outside = await undo(api, sub, vera_only["resetId"])
        named = await undo(api, sub, both["resetId"], [org.vera, mia_id])
        implicit = await undo(api, sub, both["resetId"], dry_run=True)

        assert outside["errors"] == [{"code": "RESET_NOT_FOUND", "field": ["resetId"]}]
        assert [(r["userId"], r["status"], r["errors"]) for r in named["results"]] == [
            (org.vera, "FAILED", [{"code": "USER_NOT_FOUND"}]),
            (mia_id, "SUCCEEDED", []),
        ]
        assert named["results"][0]["user"] is None
        assert [r["userId"] for r in implicit["results"]] == [mia_id]
        assert own_levels(await state(api, admin_token, org.vera)) == {}


async def test_nothing_secret_is_kept(
    api: Api, admin_token: str, org: Org, smtp_server: SmtpServer, engine: AsyncEngine
) -> None:
    """The reset's mailed password and PIN are nowhere in the database after an undo."""
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    done = await reset(
        api, admin_token, [org.vera], setRandomPassword=True, setRandomVoicemailPin=True,
        **EVERYTHING_UNDOABLE,
    )  # fmt: skip
    [result] = done["results"]
    assert [(a["action"], a["undoable"]) for a in result["actions"][:2]] == [
        ("PASSWORD", False), ("VOICEMAIL_PIN", False),
    ]  # fmt: skip
    voicemail = (
        await api.data('mutation { createApiToken(name: "vm") { token } }', token=admin_token)
    )["createApiToken"]["token"]
    await api.data('mutation { voicemailRemoteAccess(login: "vera") { outcome } }', token=voicemail)
    await dispatcher_services(api).outbox.dispatch_due()
    texts = [m.text for m in smtp_server.received]
    password = _field(next(t for t in texts if "New password" in t), "New password")
    pin = _field(next(t for t in texts if "Voicemail PIN" in t), "Voicemail PIN")

    undone = await undo(api, admin_token, done["resetId"])

    assert undone["results"][0]["status"] == "SUCCEEDED"
    assert (await api.sign_in_user("vera", password))["token"]  # the password stays
    async with engine.connect() as connection:
        for table in metadata.sorted_tables:
            rows = str((await connection.execute(select(table))).all())
            assert password not in rows, table.name
            assert pin not in rows, table.name
        kept = str((await connection.execute(select(reset_undo_records.c.kept))).all())
    assert "ASSISTANT" in kept
    assert "Old CRM entry" in kept


def source_gid(org: Org) -> str:
    return to_global_id("DirectoryDataSource", org.source_id)


async def count(engine: AsyncEngine, table: Any) -> int:
    async with engine.connect() as connection:
        found = await connection.execute(select(func.count()).select_from(table))
        return int(found.scalar_one())

"""The reset's unlock and expirePassword actions (domain/services/reset_access.py),
through the API on both databases: a login locked by failed sign-ins signs in
again, a PIN locked by wrong PINs verifies again, an expired password asks for a
change at the next sign-in and mails nothing; the dry run changes nothing; neither
is undoable."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.principals import SYSTEM
from domain.services import locations, users
from domain.services.users import UserChanges
from gql.ids import parse_global_id, to_global_id
from persistence import tables
from tests.api.conftest import Api
from tests.api.test_mail_api import CONFIGURE, _field, dispatcher_services, gateway_input
from tests.smtp_server import SmtpServer

PASSWORD = "Own-Secret-Word-Of-Him-1"
RESET = """
mutation($ids: [ID!]!, $options: ResetUsersOptions!, $dry: Boolean!) {
  resetUsers(ids: $ids, options: $options, dryRun: $dry) {
    resetId
    results { status actions { action status changes undoable errors { code } } }
  }
}"""
VERIFY = (
    'mutation($p: String!) { verifyVoicemailPin(login: "otto", pin: $p) { ok errors { code } } }'
)


async def otto(api: Api) -> str:
    """Otto, with his own password (made by the system: no change required)."""
    loc = await api.services.locations.create_location(SYSTEM, locations.NewLocation(name="Oslo"))
    user = await api.services.users.create_user(
        SYSTEM,
        users.NewUser(login="otto", last_name="Doe", location_id=loc.id,
                      email="otto@example.org", password=PASSWORD),
    )  # fmt: skip
    return to_global_id("User", user.id)


def from_id(user: str) -> int:
    parsed = parse_global_id(user)
    assert parsed is not None
    return parsed[1]


async def reset(
    api: Api, token: str, user: str, *, dry: bool = False, **options: bool
) -> dict[str, Any]:
    variables = {"ids": [user], "options": options, "dry": dry}
    result: dict[str, Any] = (await api.data(RESET, variables, token=token))["resetUsers"]
    return result


async def lock_sign_in(api: Api) -> None:
    for _ in range(10):
        await api.sign_in_user("otto", "wrong")
    locked = await api.sign_in_user("otto", PASSWORD)
    assert [e["code"] for e in locked["errors"]] == ["TOO_MANY_ATTEMPTS"]


async def locked_pin(api: Api, token: str, user: str, smtp_server: SmtpServer) -> tuple[str, str]:
    """Otto's PIN, delivered and then locked by wrong PINs; the voicemail server's token."""
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=token)
    await reset(api, token, user, setRandomVoicemailPin=True)
    made = await api.data('mutation { createApiToken(name: "vm") { token } }', token=token)
    voicemail = str(made["createApiToken"]["token"])
    await api.data('mutation { voicemailRemoteAccess(login: "otto") { outcome } }', token=voicemail)
    assert await dispatcher_services(api).outbox.dispatch_due() == 1
    pin = _field(smtp_server.received[0].text, "Voicemail PIN")
    wrong = "000000" if pin != "000000" else "999999"
    for _ in range(5):
        await api.data(VERIFY, {"p": wrong}, token=voicemail)
    right = (await api.data(VERIFY, {"p": pin}, token=voicemail))["verifyVoicemailPin"]
    assert right == {"ok": False, "errors": [{"code": "PIN_LOCKED"}]}
    return pin, voicemail


async def outbox_size(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(tables.outbox)) or 0)


async def test_unlock_ends_the_sign_in_and_the_pin_lockout(
    api: Api, admin_token: str, smtp_server: SmtpServer
) -> None:
    user = await otto(api)
    pin, voicemail = await locked_pin(api, admin_token, user, smtp_server)
    await lock_sign_in(api)

    dry = await reset(api, admin_token, user, dry=True, unlock=True)
    still = await api.sign_in_user("otto", PASSWORD)
    done = await reset(api, admin_token, user, unlock=True)

    action = {"action": "UNLOCK", "status": "DONE", "changes": 2, "undoable": False, "errors": []}
    assert dry["results"][0]["actions"] == [action]
    assert [e["code"] for e in still["errors"]] == ["TOO_MANY_ATTEMPTS"]
    assert done["results"][0] | {"actions": []} == {"status": "SUCCEEDED", "actions": []}
    assert done["results"][0]["actions"] == [action]
    assert done["resetId"] is None
    signed_in = await api.sign_in_user("otto", PASSWORD)
    assert signed_in["token"]
    assert signed_in["errors"] == []
    verified = await api.data(VERIFY, {"p": pin}, token=voicemail)
    assert verified["verifyVoicemailPin"] == {"ok": True, "errors": []}
    again = await reset(api, admin_token, user, unlock=True)
    assert again["results"][0]["actions"][0]["changes"] == 0


async def test_expire_password_asks_for_a_change_and_mails_nothing(
    api: Api, admin_token: str, smtp_server: SmtpServer, engine: AsyncEngine
) -> None:
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    user = await otto(api)
    before = await api.sign_in_user("otto", PASSWORD)
    assert before["passwordChangeRequired"] is False
    me = "{ me { login } }"
    assert (await api.data(me, token=before["token"]))["me"] == {"login": "otto"}

    dry = await reset(api, admin_token, user, dry=True, expirePassword=True)
    unchanged = await api.sign_in_user("otto", PASSWORD)
    done = await reset(api, admin_token, user, expirePassword=True)

    action = {
        "action": "EXPIRE_PASSWORD", "status": "DONE", "changes": 1, "undoable": False,
        "errors": [],
    }  # fmt: skip
    assert dry["results"][0]["actions"] == [action]
    assert unchanged["passwordChangeRequired"] is False
    assert done["results"][0]["actions"] == [action]
    assert done["resetId"] is None
    after = await api.sign_in_user("otto", PASSWORD)
    assert after["passwordChangeRequired"] is True
    # The sessions opened before the reset ended.
    assert "errors" in await api.post(me, token=before["token"])
    assert await outbox_size(engine) == 0
    assert await dispatcher_services(api).outbox.dispatch_due() == 0
    assert smtp_server.received == []


async def test_both_run_for_a_blocked_user_and_in_the_order_of_reset_action(
    api: Api, admin_token: str
) -> None:
    user = await otto(api)
    await api.services.users.update_user(SYSTEM, UserChanges(id=from_id(user), blocked=True))

    done = await reset(
        api, admin_token, user, expirePassword=True, unlock=True, resetClientSettings=True
    )

    [result] = done["results"]
    assert result["status"] == "SUCCEEDED"
    assert [a["action"] for a in result["actions"]] == [
        "CLIENT_SETTINGS", "UNLOCK", "EXPIRE_PASSWORD",
    ]  # fmt: skip


UNDO = """
mutation($resetId: ID!) {
  undoReset(resetId: $resetId, dryRun: false) {
    results { status actions { action status undoable } } errors { code }
  }
}"""


async def test_undo_leaves_the_unlock_and_the_expired_password(api: Api, admin_token: str) -> None:
    user = await otto(api)
    async with api.services.uow as uow:
        stored = await uow.users.get(from_id(user))
        assert stored is not None
        stored.client_settings = {"theme": "dark"}
        await uow.users.update(stored)
        await uow.commit()
    await lock_sign_in(api)

    done = await reset(
        api, admin_token, user, resetClientSettings=True, unlock=True, expirePassword=True
    )
    undone = await api.data(UNDO, {"resetId": done["resetId"]}, token=admin_token)

    assert [(a["action"], a["undoable"]) for a in done["results"][0]["actions"]] == [
        ("CLIENT_SETTINGS", True), ("UNLOCK", False), ("EXPIRE_PASSWORD", False),
    ]  # fmt: skip
    [result] = undone["undoReset"]["results"]
    assert [a["action"] for a in result["actions"]] == ["CLIENT_SETTINGS"]
    after = await api.sign_in_user("otto", PASSWORD)
    assert after["errors"] == []
    assert after["passwordChangeRequired"] is True

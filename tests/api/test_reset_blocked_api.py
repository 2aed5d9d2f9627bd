"""A reset of a blocked user: no password or PIN is made or mailed for an account that
cannot use it (USER_BLOCKED, in the dry run too); its other actions run."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.principals import SYSTEM
from domain.services import locations, users
from domain.services.users import UserChanges
from gql.ids import to_global_id
from persistence import tables
from tests.api.conftest import Api
from tests.api.test_mail_api import CONFIGURE, dispatcher_services, gateway_input
from tests.smtp_server import SmtpServer

RESET = """
mutation($ids: [ID!]!, $dry: Boolean!) {
  resetUsers(ids: $ids, dryRun: $dry, options: {setRandomPassword: true,
             setRandomVoicemailPin: true, resetClientSettings: true}) {
    results { user { login } status actions { action status errors { code message } } }
  }
}"""


async def anna_and_blocked_ben(api: Api) -> list[int]:
    loc = await api.services.locations.create_location(SYSTEM, locations.NewLocation(name="Oslo"))
    made = []
    for login in ("anna", "ben"):
        user = await api.services.users.create_user(
            SYSTEM,
            users.NewUser(login=login, last_name="Doe", location_id=loc.id,
                          email=f"{login}@example.org", password="Before-Reset-Pw-1"),
        )  # fmt: skip
        made.append(user.id)
    await api.services.users.update_user(SYSTEM, UserChanges(id=made[1], blocked=True))
    return made


def actions(result: dict[str, Any]) -> dict[str, tuple[str, list[str]]]:
    return {a["action"]: (a["status"], [e["code"] for e in a["errors"]]) for a in result["actions"]}


async def password_hash(engine: AsyncEngine, user_id: int) -> str:
    async with engine.connect() as connection:
        hashed = await connection.scalar(
            select(tables.users.c.password_hash).where(tables.users.c.id == user_id)
        )
    assert isinstance(hashed, str)
    return hashed


async def test_the_dry_run_and_the_reset_refuse_a_blocked_users_secrets(
    api: Api, admin_token: str, smtp_server: SmtpServer, engine: AsyncEngine
) -> None:
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    anna, ben = await anna_and_blocked_ben(api)
    before = await password_hash(engine, ben)
    ids = [to_global_id("User", anna), to_global_id("User", ben)]

    dry = (await api.data(RESET, {"ids": ids, "dry": True}, token=admin_token))["resetUsers"]
    done = (await api.data(RESET, {"ids": ids, "dry": False}, token=admin_token))["resetUsers"]

    blocked = {
        "PASSWORD": ("FAILED", ["USER_BLOCKED"]),
        "VOICEMAIL_PIN": ("FAILED", ["USER_BLOCKED"]),
        "CLIENT_SETTINGS": ("DONE", []),
    }
    for result in (dry, done):
        anna_result, ben_result = result["results"]
        assert {s for s, _ in actions(anna_result).values()} == {"DONE"}
        assert actions(ben_result) == blocked
        assert "unblock" in ben_result["actions"][0]["errors"][0]["message"]
    assert await password_hash(engine, ben) == before
    assert await dispatcher_services(api).outbox.dispatch_due() == 1
    assert [r.rcpt_tos for r in smtp_server.received] == [["anna@example.org"]]

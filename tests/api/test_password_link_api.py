"""A reset that mails a one-time link instead of the password (sendPasswordLink, the
location's default): the mail as the SMTP sink got it, in German and English; the
set-password page over HTTP (a password the policy refuses, one it takes, then
userSignIn with it); the link a second time, expired, after a block, after another
reset: each a clear page and no password change."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.principals import SYSTEM
from domain.services import locations, users
from domain.services.users import UserChanges
from gql.ids import to_global_id
from persistence import tables
from tests.api.conftest import Api
from tests.api.test_mail_api import CONFIGURE, dispatcher_services, gateway_input
from tests.fakes import FakeClock
from tests.smtp_server import SmtpServer

RESET = """
mutation($ids: [ID!]!, $link: Boolean) {
  resetUsers(ids: $ids, options: {setRandomPassword: true, sendPasswordLink: $link}) {
    results { status actions { action status passwordLinkSent errors { code } } }
  }
}"""
LINK = re.compile(r"http://localhost:8000(/set-password\?token=[A-Za-z0-9_\-%]+)")
CHOSEN = "Fresh-Choice-2026x"


@pytest.fixture
def api_clock() -> FakeClock:
    return FakeClock()


async def user(api: Api, login: str, language: str | None = None) -> int:
    loc = await api.services.locations.create_location(
        SYSTEM, locations.NewLocation(name=f"Loc-{login}")
    )
    made = await api.services.users.create_user(
        SYSTEM,
        users.NewUser(login=login, last_name="Doe", location_id=loc.id, language=language,
                      email=f"{login}@example.org", password="Before-Reset-Pw-1"),
    )  # fmt: skip
    return made.id


async def reset(api: Api, token: str, user_id: int, link: bool | None = True) -> dict[str, object]:
    data = await api.data(
        RESET, {"ids": [to_global_id("User", user_id)], "link": link}, token=token
    )
    [result] = data["resetUsers"]["results"]
    [action] = result["actions"]
    assert isinstance(action, dict)
    return action


async def mailed_link(api: Api, smtp_server: SmtpServer) -> tuple[str, str, str]:
    """The newest mail's link path, its text and subject."""
    assert await dispatcher_services(api).outbox.dispatch_due() >= 1
    received = smtp_server.received[-1]
    text = received.text
    found = LINK.search(text)
    assert found is not None, text
    assert found.group(0) in received.html
    return found.group(1), text, str(received.message["Subject"])


async def password_hash(engine: AsyncEngine, user_id: int) -> str:
    async with engine.connect() as connection:
        hashed = await connection.scalar(
            select(tables.users.c.password_hash).where(tables.users.c.id == user_id)
        )
    assert isinstance(hashed, str)
    return hashed


async def audit_actions(engine: AsyncEngine, user_id: int) -> list[str]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(tables.audit_events.c.action)
            .where(tables.audit_events.c.target_user_id == user_id)
            .order_by(tables.audit_events.c.id)
        )
    return [row.action for row in rows if row.action.startswith("PASSWORD_LINK")]


def token_of(path: str) -> str:
    return path.split("token=", 1)[1]


async def test_the_link_sets_the_password_once_and_the_user_signs_in_with_it(
    api: Api, admin_token: str, smtp_server: SmtpServer, engine: AsyncEngine
) -> None:
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    anna = await user(api, "anna", "de")

    action = await reset(api, admin_token, anna)
    assert action == {"action": "PASSWORD", "status": "DONE", "passwordLinkSent": True,
                      "errors": []}  # fmt: skip
    path, text, subject = await mailed_link(api, smtp_server)
    assert subject == "Legen Sie Ihr neues Connect-Passwort fest"
    assert "funktioniert einmal" in text
    assert (await api.sign_in_user("anna", "Before-Reset-Pw-1"))["token"] is None

    page = await api.client.get(path)
    assert page.status_code == 200
    assert '<html lang="de">' in page.text
    assert "Neues Passwort" in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'nonce-" in csp
    assert "form-action 'self'" in csp
    assert page.headers["referrer-policy"] == "no-referrer"
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce is not None
    assert f'<script nonce="{nonce.group(1)}">' in page.text

    form = {"token": token_of(path), "password": "short", "repeat": "short"}
    refused = await api.client.post("/set-password", data=form)
    assert refused.status_code == 400
    assert "mindestens 12 Zeichen" in refused.text
    differ = {**form, "password": CHOSEN, "repeat": CHOSEN + "!"}
    assert "verschieden" in (await api.client.post("/set-password", data=differ)).text
    assert (await api.sign_in_user("anna", CHOSEN))["token"] is None

    done = await api.client.post("/set-password", data={**form, "password": CHOSEN,
                                                         "repeat": CHOSEN})  # fmt: skip
    assert done.status_code == 200
    assert "festgelegt" in done.text
    signed_in = await api.sign_in_user("anna", CHOSEN)
    assert signed_in["token"]
    assert signed_in["passwordChangeRequired"] is False

    before = await password_hash(engine, anna)
    other = {**form, "password": "Other-Choice-2026x", "repeat": "Other-Choice-2026x"}
    again = await api.client.post("/set-password", data=other)
    assert again.status_code == 410
    assert "bereits verwendet" in again.text
    assert (await api.client.get(path)).status_code == 410
    assert await password_hash(engine, anna) == before
    assert await audit_actions(engine, anna) == ["PASSWORD_LINK_SENT", "PASSWORD_LINK_USED"]


async def test_an_expired_link_a_blocked_users_and_a_replaced_one_set_nothing(
    api: Api, admin_token: str, smtp_server: SmtpServer, engine: AsyncEngine,
    api_clock: FakeClock,
) -> None:  # fmt: skip
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    ben = await user(api, "ben", "en")

    await reset(api, admin_token, ben)
    expired, text, subject = await mailed_link(api, smtp_server)
    assert subject == "Set your new Connect password"
    assert "works once" in text
    api_clock.advance(timedelta(hours=72, seconds=1))
    before = await password_hash(engine, ben)
    form = {"token": token_of(expired), "password": CHOSEN, "repeat": CHOSEN}
    page = await api.client.post("/set-password", data=form)
    assert page.status_code == 410
    assert "This link has expired" in page.text
    assert (await api.client.get(expired)).status_code == 410
    assert await password_hash(engine, ben) == before

    admin_token = await api.sign_in_admin("root")  # the session ended meanwhile
    await reset(api, admin_token, ben)
    replaced, _, _ = await mailed_link(api, smtp_server)
    await reset(api, admin_token, ben)
    newest, _, _ = await mailed_link(api, smtp_server)
    old = await api.client.post("/set-password", data={**form, "token": token_of(replaced)})
    assert old.status_code == 404
    assert "not valid" in old.text

    await api.services.users.update_user(SYSTEM, UserChanges(id=ben, blocked=True))
    blocked_page = await api.client.get(newest)
    assert blocked_page.status_code == 410
    assert "your account is blocked" in blocked_page.text
    # Unblocked again, the link stays dead.
    await api.services.users.update_user(SYSTEM, UserChanges(id=ben, blocked=False))
    before = await password_hash(engine, ben)
    blocked = await api.client.post("/set-password", data={**form, "token": token_of(newest)})
    assert blocked.status_code == 410
    assert "your account is blocked" in blocked.text
    assert await password_hash(engine, ben) == before
    assert await audit_actions(engine, ben) == [
        "PASSWORD_LINK_SENT", "PASSWORD_LINK_EXPIRED", "PASSWORD_LINK_SENT", "PASSWORD_LINK_SENT",
    ]  # fmt: skip


async def test_the_locations_default_and_false_mail_the_password(
    api: Api, admin_token: str, smtp_server: SmtpServer, engine: AsyncEngine
) -> None:
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    cleo = await user(api, "cleo")
    assert (await reset(api, admin_token, cleo, None))["passwordLinkSent"] is False
    async with engine.connect() as connection:
        location_id = await connection.scalar(
            select(tables.users.c.location_id).where(tables.users.c.id == cleo)
        )
    updated = await api.data(
        "mutation($id: ID!) { updateLocation(input: {id: $id, passwordLink: true}) "
        "{ location { passwordLink } errors { code } } }",
        {"id": to_global_id("Location", location_id)},
        token=admin_token,
    )
    assert updated["updateLocation"] == {"location": {"passwordLink": True}, "errors": []}
    assert (await reset(api, admin_token, cleo, None))["passwordLinkSent"] is True
    assert (await reset(api, admin_token, cleo, False))["passwordLinkSent"] is False
    assert await dispatcher_services(api).outbox.dispatch_due() == 3
    kinds = ["set-password?token=" in m.text for m in smtp_server.received]
    assert kinds == [False, True, False]


async def test_a_password_an_administrator_sets_or_a_mailed_one_ends_the_link(
    api: Api, admin_token: str, smtp_server: SmtpServer, engine: AsyncEngine
) -> None:
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    dora = await user(api, "dora")
    form = {"password": CHOSEN, "repeat": CHOSEN}
    await reset(api, admin_token, dora)
    first, _, _ = await mailed_link(api, smtp_server)
    await api.services.credentials.set_user_password(SYSTEM, dora, "By-The-Admin-2026x")
    page = await api.client.post("/set-password", data={**form, "token": token_of(first)})
    assert page.status_code == 410
    assert "changed or reset again" in page.text

    await reset(api, admin_token, dora)
    second, _, _ = await mailed_link(api, smtp_server)
    await reset(api, admin_token, dora, False)  # the password mailed this time
    before = await password_hash(engine, dora)
    page = await api.client.post("/set-password", data={**form, "token": token_of(second)})
    assert page.status_code == 410
    assert await password_hash(engine, dora) == before

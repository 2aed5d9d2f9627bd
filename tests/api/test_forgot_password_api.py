"""Forgot password (requestPasswordLink) without signing in: off unless the location
allows it, and then the same answer for everyone; switched on, the link reaches the
user's mailbox (the SMTP sink) and sets the password; an unknown login gets the same
answer and no mail; the limits per client address and per login hold. Every request
is audited with its outcome."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.principals import SYSTEM
from domain.services import users
from gql.ids import to_global_id
from persistence import tables
from tests.api.conftest import Api
from tests.api.test_mail_api import CONFIGURE, dispatcher_services, gateway_input
from tests.api.test_password_link_api import CHOSEN, LINK, token_of, user
from tests.smtp_server import SmtpServer

REQUEST = """
mutation($l: String!) { requestPasswordLink(loginOrEmail: $l) { ok errors { code } } }"""
SAME = {"ok": True, "errors": []}
LIMITED = {"ok": False, "errors": [{"code": "TOO_MANY_PASSWORD_LINK_REQUESTS"}]}


async def request(api: Api, login_or_email: str) -> dict[str, Any]:
    answer: dict[str, Any] = (await api.data(REQUEST, {"l": login_or_email}))["requestPasswordLink"]
    return answer


async def allow(api: Api, admin_token: str, engine: AsyncEngine, user_id: int) -> None:
    async with engine.connect() as connection:
        location_id = await connection.scalar(
            select(tables.users.c.location_id).where(tables.users.c.id == user_id)
        )
    updated = await api.data(
        "mutation($id: ID!) { updateLocation(input: {id: $id, forgotPassword: true}) "
        "{ location { forgotPassword } errors { code } } }",
        {"id": to_global_id("Location", location_id)},
        token=admin_token,
    )
    assert updated["updateLocation"] == {"location": {"forgotPassword": True}, "errors": []}


async def outcomes(engine: AsyncEngine) -> list[tuple[str, str, bool]]:
    """Each request's (requested, outcome, whether it names a user), oldest first."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(tables.audit_events.c.details, tables.audit_events.c.target_user_id)
            .where(tables.audit_events.c.action == "PASSWORD_LINK_REQUESTED")
            .order_by(tables.audit_events.c.id)
        )
        return [(r.details["requested"], r.details["outcome"], r.target_user_id is not None)
                for r in rows]  # fmt: skip


async def test_switched_off_the_answer_is_the_same_and_nothing_is_mailed(
    api: Api, admin_token: str, smtp_server: SmtpServer, engine: AsyncEngine
) -> None:
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    await user(api, "hana", "de")
    assert await request(api, "hana") == SAME
    assert await request(api, "nobody-here") == SAME
    assert await dispatcher_services(api).outbox.dispatch_due() == 0
    assert smtp_server.received == []
    assert await outcomes(engine) == [
        ("hana", "NOT_ENABLED", True), ("nobody-here", "UNKNOWN", False),
    ]  # fmt: skip
    assert (await api.sign_in_user("hana", "Before-Reset-Pw-1"))["token"]


async def test_switched_on_the_link_reaches_the_mailbox_and_sets_the_password(
    api: Api, admin_token: str, smtp_server: SmtpServer, engine: AsyncEngine
) -> None:
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    ivo = await user(api, "ivo", "en")
    await allow(api, admin_token, engine, ivo)

    assert await request(api, "IVO@example.org") == SAME  # by address, any case
    assert await dispatcher_services(api).outbox.dispatch_due() == 1
    [mail] = smtp_server.received
    assert mail.message["To"] == "ivo@example.org"
    found = LINK.search(mail.text)
    assert found is not None, mail.text
    assert "you asked for a link to set a new Connect password" in mail.text
    assert "an administrator reset" not in mail.text
    # Asking is no reset: the password keeps working until the user sets another.
    assert (await api.sign_in_user("ivo", "Before-Reset-Pw-1"))["token"]

    form = {"token": token_of(found.group(1)), "password": CHOSEN, "repeat": CHOSEN}
    done = await api.client.post("/set-password", data=form)
    assert done.status_code == 200
    assert "Your new password is set" in done.text
    assert (await api.sign_in_user("ivo", CHOSEN))["token"]
    assert (await api.sign_in_user("ivo", "Before-Reset-Pw-1"))["token"] is None
    assert await outcomes(engine) == [("IVO@example.org", "LINK_SENT", True)]


async def test_an_unknown_login_gets_the_same_answer_and_no_mail(
    api: Api, admin_token: str, smtp_server: SmtpServer, engine: AsyncEngine
) -> None:
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    jan = await user(api, "jan", "en")
    await allow(api, admin_token, engine, jan)
    assert await request(api, "jan-who") == SAME
    assert await request(api, "someone@example.org") == SAME
    assert await dispatcher_services(api).outbox.dispatch_due() == 0
    assert smtp_server.received == []
    assert [o[1] for o in await outcomes(engine)] == ["UNKNOWN", "UNKNOWN"]


async def test_the_limits_per_login_and_per_client_address_hold(
    api: Api, admin_token: str, smtp_server: SmtpServer, engine: AsyncEngine
) -> None:
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    kai = await user(api, "kai", "en")
    await allow(api, admin_token, engine, kai)
    answers = [await request(api, "kai") for _ in range(4)]
    assert answers == [SAME, SAME, SAME, LIMITED]
    assert await dispatcher_services(api).outbox.dispatch_due() == 3
    # The same client, other logins: 10 requests in all, then refused whatever the login.
    answers = [await request(api, f"other-{n}") for n in range(7)]
    assert answers == [SAME] * 6 + [LIMITED]
    assert await request(api, "kai") == LIMITED
    assert [o[1] for o in await outcomes(engine)] == [
        "LINK_SENT", "LINK_SENT", "LINK_SENT", "LIMITED", *["UNKNOWN"] * 6, "LIMITED",
        "LIMITED",
    ]  # fmt: skip


async def test_a_user_without_a_password_sets_one_and_a_shared_address_finds_nobody(
    api: Api, admin_token: str, smtp_server: SmtpServer, engine: AsyncEngine
) -> None:
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    mia = await user(api, "mia", "en")
    await allow(api, admin_token, engine, mia)
    async with engine.connect() as connection:
        location_id = await connection.scalar(
            select(tables.users.c.location_id).where(tables.users.c.id == mia)
        )
    for login in ("nora", "otto"):  # no password, and one address for two
        await api.services.users.create_user(
            SYSTEM,
            users.NewUser(login=login, last_name="Doe", location_id=location_id,
                          email="shared@example.org" if login == "otto" else "nora@example.org"),
        )  # fmt: skip
    await api.services.users.create_user(
        SYSTEM,
        users.NewUser(login="paul", last_name="Doe", location_id=location_id,
                      email="Shared@example.org"),
    )  # fmt: skip

    assert await request(api, "shared@example.org") == SAME
    assert await request(api, "nora") == SAME
    assert await dispatcher_services(api).outbox.dispatch_due() == 1
    [mail] = smtp_server.received
    assert mail.message["To"] == "nora@example.org"
    found = LINK.search(mail.text)
    assert found is not None, mail.text
    form = {"token": token_of(found.group(1)), "password": CHOSEN, "repeat": CHOSEN}
    assert (await api.client.post("/set-password", data=form)).status_code == 200
    assert (await api.sign_in_user("nora", CHOSEN))["token"]
    assert [o[1] for o in await outcomes(engine)] == ["UNKNOWN", "LINK_SENT"]


async def test_a_login_or_address_longer_than_any_is_answered_alike(
    api: Api, engine: AsyncEngine
) -> None:
    long = "x" * 300 + "@example.org"
    assert await request(api, long) == SAME
    [(requested, outcome, named)] = await outcomes(engine)
    assert (len(requested), outcome, named) == (254, "UNKNOWN", False)

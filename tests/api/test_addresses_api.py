"""E-mail addresses: what may be given, and what a stored address that cannot be sent
to does to a reset and to the outbox, against a real SMTP server on 127.0.0.1 that
offers no SMTPUTF8 and refuses non-ASCII (as many gateways do)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.principals import SYSTEM
from domain.services import locations, users
from gql.ids import to_global_id
from persistence import tables
from tests.api.conftest import Api
from tests.api.test_mail_api import CONFIGURE, dispatcher_services, gateway_input, reset_password
from tests.smtp_server import SmtpServer

CREATE_USER = """
mutation($input: CreateUserInput!) {
  createUser(input: $input) { user { id email } errors { code message field } }
}"""
UPDATE_USER = """
mutation($input: UpdateUserInput!) {
  updateUser(input: $input) { user { email } errors { code message field } }
}"""
SEND_TEST = "mutation($to: String!) { sendTestEmail(to: $to) { ok errors { code message } } }"


async def location_id(api: Api) -> int:
    location = await api.services.locations.create_location(
        SYSTEM, locations.NewLocation(name="Oslo")
    )
    return location.id


async def create(api: Api, token: str, login: str, email: str) -> dict[str, Any]:
    given = {
        "login": login, "lastName": "Doe", "email": email,
        "locationId": to_global_id("Location", await location_id(api)),
    }  # fmt: skip
    data = await api.data(CREATE_USER, {"input": given}, token=token)
    result: dict[str, Any] = data["createUser"]
    return result


class TestAtTheEdge:
    @pytest.mark.parametrize(
        "email", ["jürgen@bücher.example", "Ærø.🎉@example.org", "anna..b@example.org",
                  '"anna"@example.org', "anna@[127.0.0.1]", "anna@localhost"],
    )  # fmt: skip
    async def test_an_address_not_every_server_carries_is_refused(
        self, api: Api, admin_token: str, email: str
    ) -> None:
        created = await create(api, admin_token, "anna", email)

        assert created["user"] is None
        [error] = created["errors"]
        assert (error["code"], error["field"]) == ("INVALID_EMAIL", ["input", "email"])

    async def test_a_non_ascii_local_part_is_refused_saying_why(
        self, api: Api, admin_token: str
    ) -> None:
        created = await create(api, admin_token, "juergen", "jürgen@example.org")

        assert "must be ASCII" in created["errors"][0]["message"]

    async def test_an_international_domain_is_kept_in_its_ascii_form(
        self, api: Api, admin_token: str
    ) -> None:
        created = await create(api, admin_token, "juergen", "juergen@Bücher.example")

        assert created["errors"] == []
        assert created["user"]["email"] == "juergen@xn--bcher-kva.example"
        updated = await api.data(
            UPDATE_USER,
            {"input": {"id": created["user"]["id"], "email": "jürgen@bücher.example"}},
            token=admin_token,
        )
        assert updated["updateUser"]["errors"][0]["code"] == "INVALID_EMAIL"

    async def test_a_test_message_to_a_non_ascii_address_is_refused_before_sending(
        self, api: Api, admin_token: str, smtp_server: SmtpServer
    ) -> None:
        await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)

        refused = await api.data(SEND_TEST, {"to": "jürgen@example.org"}, token=admin_token)
        sent = await api.data(SEND_TEST, {"to": "juergen@bücher.example"}, token=admin_token)

        assert refused["sendTestEmail"]["errors"][0]["code"] == "INVALID_EMAIL"
        assert sent["sendTestEmail"]["ok"] is True
        assert [r.rcpt_tos for r in smtp_server.received] == [["juergen@xn--bcher-kva.example"]]


async def four_users(api: Api) -> list[int]:
    loc = await location_id(api)
    made = []
    for login in ("anna", "ben", "carl", "dora"):
        user = await api.services.users.create_user(
            SYSTEM,
            users.NewUser(login=login, last_name="Doe", location_id=loc,
                          email=f"{login}@example.org"),
        )  # fmt: skip
        made.append(user.id)
    return made


async def store_email(engine: AsyncEngine, user_id: int, email: str) -> None:
    """An address stored before today's rules."""
    async with engine.begin() as connection:
        await connection.execute(
            update(tables.users).where(tables.users.c.id == user_id).values(email=email)
        )


async def outbox_by_recipient(engine: AsyncEngine) -> dict[str, Any]:
    async with engine.connect() as connection:
        rows = (await connection.execute(select(tables.outbox))).all()
    return {row.recipient: row for row in rows}


async def mail_failed_details(api: Api, token: str) -> list[dict[str, Any]]:
    events = await api.data(
        "{ auditEvents(first: 50) { edges { node { action details } } } }", token=token
    )
    return [
        e["node"]["details"] for e in events["auditEvents"]["edges"]
        if e["node"]["action"] == "MAIL_FAILED"
    ]  # fmt: skip


class TestStoredAddresses:
    async def test_a_reset_refuses_the_one_and_mails_the_others(
        self, api: Api, admin_token: str, smtp_server: SmtpServer, engine: AsyncEngine
    ) -> None:
        await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
        anna, ben, carl, dora = await four_users(api)
        await store_email(engine, carl, "jürgen@bücher.example")

        result = await reset_password(
            api, admin_token, *(to_global_id("User", n) for n in (anna, ben, carl, dora))
        )

        statuses = [
            (r["status"], [e["code"] for a in r["actions"] for e in a["errors"]])
            for r in result["results"]
        ]
        assert statuses == [
            ("SUCCEEDED", []), ("SUCCEEDED", []), ("FAILED", ["EMAIL_INVALID"]),
            ("SUCCEEDED", []),
        ]  # fmt: skip
        assert await dispatcher_services(api).outbox.dispatch_due() == 3
        assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == [
            "anna@example.org", "ben@example.org", "dora@example.org",
        ]  # fmt: skip

    async def test_a_queued_message_to_a_bad_address_fails_at_once_and_holds_no_other_back(
        self, api: Api, admin_token: str, smtp_server: SmtpServer, engine: AsyncEngine
    ) -> None:
        await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
        ids = await four_users(api)
        await reset_password(api, admin_token, *(to_global_id("User", n) for n in ids))
        # Queued before today's rules: the address was stored, and mailed, as given.
        async with engine.begin() as connection:
            await connection.execute(
                update(tables.outbox)
                .where(tables.outbox.c.recipient.like("ben@%"))
                .values(recipient="bén@example.org")
            )
            await connection.execute(
                update(tables.outbox)
                .where(tables.outbox.c.recipient.like("carl@%"))
                .values(recipient="Ærø.🎉@example.org")
            )

        assert await dispatcher_services(api).outbox.dispatch_due() == 4

        rows = await outbox_by_recipient(engine)
        assert {r: (row.status, row.attempts) for r, row in rows.items()} == {
            "anna@example.org": ("SENT", 1),
            "bén@example.org": ("FAILED", 1),
            "Ærø.🎉@example.org": ("FAILED", 1),
            "dora@example.org": ("SENT", 1),
        }
        assert all(row.secret_ciphertext is None for row in rows.values())
        assert "must be ASCII" in rows["bén@example.org"].last_error
        assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == [
            "anna@example.org", "dora@example.org",
        ]  # fmt: skip
        failed = await mail_failed_details(api, admin_token)
        assert len(failed) == 2
        assert await dispatcher_services(api).outbox.dispatch_due() == 0

"""Resets that send mail, through HTTP, with a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.ports import AuditQuery
from domain.principals import SYSTEM
from domain.services import locations, users
from domain.services.registry import Services
from gql.ids import to_global_id
from mail.smtp import SmtpMailSender
from server.container import services_factory
from server.settings import Settings
from tests.api.conftest import Api
from tests.smtp_fixtures import SMTP_PASSWORD, SMTP_USER
from tests.smtp_server import SmtpServer

CONFIGURE = """
mutation($input: EmailGatewayInput!) {
  configureEmailGateway(input: $input) {
    emailGateway { configured host port security username hasPassword senderAddress }
    errors { code field }
  }
}"""
RESET = """
mutation($ids: [ID!]!, $options: ResetUsersOptions!) {
  resetUsers(ids: $ids, options: $options) {
    results { status actions { action status errors { code } } }
  }
}"""


def gateway_input(server: SmtpServer, **extra: Any) -> dict[str, Any]:
    return {
        "host": server.host, "port": server.port, "security": server.security.name,
        "senderAddress": "connect@example.org", "senderName": "Connect", **extra,
    }  # fmt: skip


def dispatcher_services(api: Api, mailer: SmtpMailSender | None = None) -> Services:
    """The app's services with retries due at once, so a test needs no waiting."""
    services = api.services
    config = replace(services.config, mail_first_retry=timedelta(0))
    return replace(services, config=config, mailer=mailer or services.mailer)


async def user_with_mail(api: Api, login: str = "anna") -> str:
    loc = await api.services.locations.create_location(
        SYSTEM, locations.NewLocation(name=f"Loc-{login}")
    )
    user = await api.services.users.create_user(
        SYSTEM,
        users.NewUser(login=login, last_name="Doe", location_id=loc.id,
                      email=f"{login}@example.org"),
    )  # fmt: skip
    return to_global_id("User", user.id)


async def reset_password(api: Api, token: str, *user_ids: str) -> dict[str, Any]:
    data = await api.data(
        RESET, {"ids": list(user_ids), "options": {"setRandomPassword": True}}, token=token
    )
    result: dict[str, Any] = data["resetUsers"]
    return result


class TestGateway:
    async def test_the_password_is_write_only(self, api: Api, admin_token: str) -> None:
        with SmtpServer() as server:
            data = await api.data(
                CONFIGURE, {"input": gateway_input(server, password="Smtp-Secret-1")},
                token=admin_token,
            )  # fmt: skip
        gateway = data["configureEmailGateway"]["emailGateway"]
        assert gateway["hasPassword"] is True
        assert "Smtp-Secret-1" not in str(data)
        read = await api.data("{ emailGateway { configured hasPassword } }", token=admin_token)
        assert read["emailGateway"] == {"configured": True, "hasPassword": True}

    async def test_a_test_message_reports_the_servers_refusal(
        self, api: Api, admin_token: str, smtp_server: SmtpServer
    ) -> None:
        await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
        smtp_server.reply_next("550 5.1.1 mailbox unavailable")
        send = "mutation($to: String!) { sendTestEmail(to: $to) { ok errors { code message } } }"
        refused = await api.data(send, {"to": "me@example.org"}, token=admin_token)
        assert refused["sendTestEmail"]["ok"] is False
        assert "550" in refused["sendTestEmail"]["errors"][0]["message"]
        sent = await api.data(send, {"to": "me@example.org"}, token=admin_token)
        assert sent["sendTestEmail"] == {"ok": True, "errors": []}
        assert smtp_server.received[-1].rcpt_tos == ["me@example.org"]


class TestPasswordByMail:
    async def test_the_new_password_arrives_and_signs_in(
        self, api: Api, admin_token: str, smtp_server: SmtpServer, engine: AsyncEngine
    ) -> None:
        await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
        anna = await user_with_mail(api)
        result = await reset_password(api, admin_token, anna)
        assert result["results"][0]["status"] == "SUCCEEDED"

        assert await dispatcher_services(api).outbox.dispatch_due() == 1
        [received] = smtp_server.received
        assert received.rcpt_tos == ["anna@example.org"]
        assert received.message["Message-ID"]
        password = _field(received.text, "New password")
        signed_in = await api.sign_in_user("anna", password)
        assert signed_in["passwordChangeRequired"] is True
        assert await _secret_at_rest(api, engine, password) is False

    async def test_a_4xx_is_retried_and_a_5xx_is_final(
        self, api: Api, admin_token: str, smtp_server: SmtpServer
    ) -> None:
        await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
        anna, ben = await user_with_mail(api, "anna"), await user_with_mail(api, "ben")
        await reset_password(api, admin_token, anna, ben)
        smtp_server.reply_next("451 4.3.0 try again later")
        smtp_server.reply_next("550 5.1.1 no such user")
        services = dispatcher_services(api)

        await services.outbox.dispatch_due()  # anna: 451, ben: 550
        assert smtp_server.received == []
        await services.outbox.dispatch_due()  # anna again
        assert [r.rcpt_tos for r in smtp_server.received] == [["anna@example.org"]]
        assert await services.outbox.dispatch_due() == 0  # ben's 550 was final

        events = await api.data(
            "{ auditEvents(first: 50) { edges { node { action details } } } }", token=admin_token
        )
        failed = [
            e["node"]["details"] for e in events["auditEvents"]["edges"]
            if e["node"]["action"] == "MAIL_FAILED"
        ]  # fmt: skip
        assert [f["reply_code"] for f in failed] == [550]

    async def test_mail_waits_while_the_gateway_is_down_and_goes_when_it_is_back(
        self, api: Api, admin_token: str, smtp_server: SmtpServer
    ) -> None:
        await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
        anna = await user_with_mail(api)
        await reset_password(api, admin_token, anna)
        services = dispatcher_services(api)

        smtp_server.stop()
        await services.outbox.dispatch_due()
        smtp_server.start()
        await services.outbox.dispatch_due()

        assert [r.rcpt_tos for r in smtp_server.received] == [["anna@example.org"]]

    async def test_starttls_with_auth(
        self, api: Api, admin_token: str, starttls_server: SmtpServer
    ) -> None:
        await api.data(
            CONFIGURE,
            {"input": gateway_input(starttls_server, username=SMTP_USER, password=SMTP_PASSWORD)},
            token=admin_token,
        )
        anna = await user_with_mail(api)
        await reset_password(api, admin_token, anna)
        mailer = SmtpMailSender(ssl_context=starttls_server.client_context())

        await dispatcher_services(api, mailer).outbox.dispatch_due()

        [received] = starttls_server.received
        assert (received.auth_user, received.over_tls) == (SMTP_USER, True)


async def pin_pending_for_anna(api: Api, admin_token: str, smtp_server: SmtpServer) -> str:
    """Anna, with a mail address and a PIN pending delivery; the voicemail server's token."""
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    anna = await user_with_mail(api)
    await api.data(
        RESET, {"ids": [anna], "options": {"setRandomVoicemailPin": True}}, token=admin_token
    )
    made = await api.data(
        'mutation { createApiToken(name: "voicemail") { token } }', token=admin_token
    )
    return str(made["createApiToken"]["token"])


class TestVoicemail:
    async def test_the_pin_is_mailed_at_the_first_remote_access(
        self, api: Api, admin_token: str, smtp_server: SmtpServer
    ) -> None:
        voicemail = await pin_pending_for_anna(api, admin_token, smtp_server)
        access = 'mutation { voicemailRemoteAccess(login: "anna") { outcome errors { code } } }'

        first = await api.data(access, token=voicemail)
        await dispatcher_services(api).outbox.dispatch_due()
        second = await api.data(access, token=voicemail)

        assert first["voicemailRemoteAccess"]["outcome"] == "PIN_SENT_BY_EMAIL"
        assert second["voicemailRemoteAccess"]["outcome"] == "PIN_REQUIRED"
        [received] = smtp_server.received
        pin = _field(received.text, "Voicemail PIN")
        verify = 'mutation($p: String!) { verifyVoicemailPin(login: "anna", pin: $p) { ok } }'
        assert (await api.data(verify, {"p": pin}, token=voicemail))["verifyVoicemailPin"]["ok"]
        wrong = await api.data(verify, {"p": "000000"}, token=voicemail)
        assert wrong["verifyVoicemailPin"]["ok"] is False


async def test_parallel_wrong_pins_still_lock_it(
    api: Api, admin_token: str, smtp_server: SmtpServer
) -> None:
    voicemail = await pin_pending_for_anna(api, admin_token, smtp_server)
    await api.data('mutation { voicemailRemoteAccess(login: "anna") { outcome } }', token=voicemail)
    await dispatcher_services(api).outbox.dispatch_due()
    pin = _field(smtp_server.received[0].text, "Voicemail PIN")
    verify = (
        'mutation($p: String!) { verifyVoicemailPin(login: "anna", pin: $p) '
        "{ ok errors { code } } }"
    )

    wrong = "000000" if pin != "000000" else "999999"
    await asyncio.gather(*(api.data(verify, {"p": wrong}, token=voicemail) for _ in range(8)))
    right = await api.data(verify, {"p": pin}, token=voicemail)

    assert right["verifyVoicemailPin"] == {"ok": False, "errors": [{"code": "PIN_LOCKED"}]}


async def test_two_first_remote_accesses_at_once_mail_one_pin(
    api: Api, admin_token: str, smtp_server: SmtpServer
) -> None:
    voicemail = await pin_pending_for_anna(api, admin_token, smtp_server)
    access = 'mutation { voicemailRemoteAccess(login: "anna") { outcome errors { code } } }'

    both = await asyncio.gather(*(api.data(access, token=voicemail) for _ in range(2)))
    await dispatcher_services(api).outbox.dispatch_due()

    outcomes = sorted(b["voicemailRemoteAccess"]["outcome"] for b in both)
    assert outcomes == ["PIN_REQUIRED", "PIN_SENT_BY_EMAIL"]
    [received] = smtp_server.received
    pin = _field(received.text, "Voicemail PIN")
    verify = 'mutation($p: String!) { verifyVoicemailPin(login: "anna", pin: $p) { ok } }'
    assert (await api.data(verify, {"p": pin}, token=voicemail))["verifyVoicemailPin"]["ok"]


@pytest.mark.usefixtures("admin_token")
async def test_two_dispatchers_never_send_a_message_twice(
    api: Api, database_url: str, engine: AsyncEngine, smtp_server: SmtpServer
) -> None:
    token = await api.sign_in_admin("root")
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=token)
    ids = [await user_with_mail(api, f"user{n}") for n in range(40)]
    await reset_password(api, token, *ids)
    settings = Settings(database_url=database_url, secret_key="test-key")  # type: ignore[arg-type]
    make = services_factory(engine, settings)

    async def dispatcher() -> None:
        services = replace(make(), config=replace(make().config, mail_batch_size=5))
        while await services.outbox.dispatch_due():
            pass

    # The SMTP server holds its reply to every message: the first dispatcher stops in
    # the middle of its batch, so the second one claims while the first holds its claim.
    smtp_server.hold()
    dispatchers = [asyncio.create_task(dispatcher()) for _ in range(2)]
    try:
        await asyncio.to_thread(smtp_server.wait_held, 2)
        held = [r.message["Message-ID"] for r in smtp_server.received]
    finally:
        smtp_server.release()
        await asyncio.gather(*dispatchers)

    # Both were sending at once, each a message of its own claim.
    assert len(held) == 2
    assert held[0] != held[1]
    message_ids = [r.message["Message-ID"] for r in smtp_server.received]
    assert len(message_ids) == 40
    assert len(set(message_ids)) == 40


def _field(text: str, label: str) -> str:
    """The value after ``label:`` in a mail's text part."""
    [value] = [
        line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith(label)
    ]
    return value


async def _secret_at_rest(api: Api, engine: AsyncEngine, secret: str) -> bool:
    """Whether the secret is in the SQLite files, or in any outbox or audit row."""
    database = engine.url.database
    if engine.url.get_backend_name() == "sqlite" and database:
        for path in Path(database).parent.glob(Path(database).name + "*"):
            if secret.encode() in path.read_bytes():
                return True
    async with api.services.uow as uow:
        rows = await uow.audit.page(AuditQuery(), None, 100)
        if secret in str([e.details for e in rows.items]):
            return True
    return False

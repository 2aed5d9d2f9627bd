"""The mails as their readers get them, read from a real SMTP server on 127.0.0.1 and
decoded: in the user's language, with the sign-in hint, the location's own template
or, when that fails at send time, the built-in one."""

from __future__ import annotations

from typing import Any

from domain.model import MailKind, MailTemplate
from domain.principals import SYSTEM
from domain.services import locations, users
from gql.ids import to_global_id
from tests.api.conftest import Api
from tests.api.test_mail_api import (
    CONFIGURE,
    RESET,
    dispatcher_services,
    gateway_input,
    reset_password,
)
from tests.smtp_server import ReceivedMessage, SmtpServer

HINT = "Server: connect.example.de 🚀\nClient: https://example.de/client"
SET_TEMPLATE = """
mutation($input: MailTemplateInput!) {
  setMailTemplate(input: $input) {
    mailTemplate { kind language subject updatedBy }
    errors { code field message }
  }
}"""
OWN_PASSWORD_MAIL = {
    "kind": "PASSWORD",
    "language": "de",
    "subject": "{{ location }}: neues Passwort für {{ display_name }}",
    "html": "<p>Moin {{ display_name }}, Ihr Passwort: <b>{{ password }}</b></p>",
    "text": "Moin {{ display_name }},\nNeues Passwort: {{ password }}\n{{ sign_in_hint }}\n",
}


async def german_location(api: Api, hint: str | None = HINT) -> int:
    location = await api.services.locations.create_location(
        SYSTEM, locations.NewLocation(name="Berlin HQ", language="de", sign_in_hint=hint)
    )
    return location.id


async def person(
    api: Api, login: str, first: str, last: str, location_id: int, language: str | None = None
) -> str:
    user = await api.services.users.create_user(
        SYSTEM,
        users.NewUser(login=login, first_name=first, last_name=last, location_id=location_id,
                      email=f"{login}@example.org", language=language),
    )  # fmt: skip
    return to_global_id("User", user.id)


async def mails_after_reset(
    api: Api, token: str, server: SmtpServer, *user_ids: str
) -> dict[str, ReceivedMessage]:
    await reset_password(api, token, *user_ids)
    await dispatcher_services(api).outbox.dispatch_due()
    return {received.rcpt_tos[0]: received for received in server.received}


def raw_header(received: ReceivedMessage, name: str) -> str:
    [value] = [value for key, value in received.message.raw_items() if key.lower() == name]
    return str(value)


def field(text: str, label: str) -> str:
    [value] = [
        line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith(label)
    ]
    return value


class TestLanguages:
    async def test_each_user_reads_the_mail_in_the_language_that_applies(
        self, api: Api, admin_token: str, smtp_server: SmtpServer
    ) -> None:
        await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
        berlin = await german_location(api)
        elsewhere = await api.services.locations.create_location(
            SYSTEM, locations.NewLocation(name="Ærø 🏝")
        )
        bernd = await person(api, "bernd.mueller", "Bernd", "Müller", berlin)
        hans = await person(api, "hans.schulz", "Hans", "Schulz", berlin, language="en")
        soren = await person(api, "soren", "Søren", "Ærø 😀", elsewhere.id)

        mails = await mails_after_reset(api, admin_token, smtp_server, bernd, hans, soren)

        german = mails["bernd.mueller@example.org"]
        assert german.message["Subject"] == "Ihr Connect-Passwort wurde zurückgesetzt"
        assert german.text.startswith("Hallo Bernd Müller,")
        assert "Hallo Bernd Müller," in german.html
        assert "innerhalb von 72 Stunden" in german.text
        assert "Hier melden Sie sich an:\nServer: connect.example.de 🚀" in german.text
        assert 'href="https://example.de/client"' in german.html
        english = mails["hans.schulz@example.org"]
        assert english.message["Subject"] == "Your Connect password was reset"
        assert english.text.startswith("Hello Hans Schulz,")
        assert "Where to sign in:" in english.text
        system_default = mails["soren@example.org"]
        assert system_default.text.startswith("Hello Søren Ærø 😀,")
        assert "Where to sign in" not in system_default.text
        # Headers travel as ASCII (RFC 2047), the parts as UTF-8 the parser decodes.
        assert raw_header(german, "subject").isascii()
        assert "=?utf-8?" in raw_header(german, "subject").lower()
        password = field(german.text, "Neues Passwort")
        assert (await api.sign_in_user("bernd.mueller", password))["token"]

    async def test_a_umlaut_and_an_emoji_in_the_subject_and_the_sender(
        self, api: Api, admin_token: str, smtp_server: SmtpServer
    ) -> None:
        gateway = gateway_input(smtp_server, senderName="Ærø Müller 📬")
        await api.data(CONFIGURE, {"input": gateway}, token=admin_token)
        berlin = await german_location(api)
        bernd = await person(api, "bernd.mueller", "Bernd", "Müller 🎉", berlin)
        await api.data(SET_TEMPLATE, {"input": {**OWN_PASSWORD_MAIL,
            "locationId": to_global_id("Location", berlin)}}, token=admin_token)  # fmt: skip

        [mail] = (await mails_after_reset(api, admin_token, smtp_server, bernd)).values()

        assert mail.message["Subject"] == "Berlin HQ: neues Passwort für Bernd Müller 🎉"
        assert mail.message["From"].addresses[0].display_name == "Ærø Müller 📬"
        assert raw_header(mail, "subject").isascii()
        assert raw_header(mail, "from").isascii()

    async def test_language_is_read_and_set_through_the_api(
        self, api: Api, admin_token: str
    ) -> None:
        berlin = to_global_id("Location", await german_location(api))
        create = """mutation($input: CreateUserInput!) { createUser(input: $input) {
            user { id language mailLanguage } errors { code field } } }"""
        made = await api.data(create, {"input": {"login": "bernd", "lastName": "Müller",
            "locationId": berlin}}, token=admin_token)  # fmt: skip
        user = made["createUser"]["user"]
        assert (user["language"], user["mailLanguage"]) == (None, "de")

        update = """mutation($input: UpdateUserInput!) { updateUser(input: $input) {
            user { language mailLanguage } errors { code field } } }"""
        changed = await api.data(
            update, {"input": {"id": user["id"], "language": "en"}}, token=admin_token
        )
        assert changed["updateUser"]["user"] == {"language": "en", "mailLanguage": "en"}
        refused = await api.data(
            update, {"input": {"id": user["id"], "language": "fr"}}, token=admin_token
        )
        assert refused["updateUser"]["errors"] == [
            {"code": "LANGUAGE_UNKNOWN", "field": ["input", "language"]}
        ]
        languages = await api.data(
            "{ mailLanguages { available systemDefault } locations { language signInHint } }",
            token=admin_token,
        )
        assert languages["mailLanguages"] == {"available": ["de", "en"], "systemDefault": "en"}
        assert languages["locations"] == [{"language": "de", "signInHint": HINT}]


class TestEveryKindInGerman:
    async def test_the_voicemail_pin(
        self, api: Api, admin_token: str, smtp_server: SmtpServer
    ) -> None:
        await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
        bernd = await person(api, "bernd.mueller", "Bernd", "Müller", await german_location(api))
        await api.data(
            RESET, {"ids": [bernd], "options": {"setRandomVoicemailPin": True}}, token=admin_token
        )
        made = await api.data(
            'mutation { createApiToken(name: "voicemail") { token } }', token=admin_token
        )
        access = 'mutation { voicemailRemoteAccess(login: "bernd.mueller") { outcome } }'
        await api.data(access, token=made["createApiToken"]["token"])

        await dispatcher_services(api).outbox.dispatch_due()

        [mail] = smtp_server.received
        assert mail.message["Subject"] == "Ihre Connect-Voicemail-PIN"
        assert mail.text.startswith("Hallo Bernd Müller,")
        assert field(mail.text, "Voicemail-PIN").isdigit()
        assert "Hier melden Sie sich an:" in mail.text

    async def test_the_gateways_test_message(
        self, api: Api, admin_token: str, smtp_server: SmtpServer
    ) -> None:
        await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
        send = """mutation($to: String!, $language: String) {
            sendTestEmail(to: $to, language: $language) { ok errors { code } } }"""

        await api.data(send, {"to": "me@example.org", "language": "de"}, token=admin_token)
        await api.data(send, {"to": "me@example.org"}, token=admin_token)
        refused = await api.data(
            send, {"to": "me@example.org", "language": "xx"}, token=admin_token
        )

        assert [m.message["Subject"] for m in smtp_server.received] == [
            "Test des Connect E-Mail-Gateways",
            "Connect E-Mail Gateway test",
        ]
        assert smtp_server.received[0].text.startswith("Hallo,\n\ndies ist eine Testnachricht")
        assert refused["sendTestEmail"]["errors"] == [{"code": "LANGUAGE_UNKNOWN"}]


class TestBlockedMeanwhile:
    async def test_a_user_blocked_before_the_mail_went_gets_no_password(
        self, api: Api, admin_token: str, smtp_server: SmtpServer
    ) -> None:
        await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
        bernd = await person(api, "bernd.mueller", "Bernd", "Müller", await german_location(api))
        await reset_password(api, admin_token, bernd)
        block = """mutation($id: ID!) { updateUser(input: {id: $id, blocked: true}) {
            errors { code } } }"""
        await api.data(block, {"id": bernd}, token=admin_token)

        await dispatcher_services(api).outbox.dispatch_due()

        assert smtp_server.received == []
        events = await api.data(
            "{ auditEvents(first: 20) { edges { node { action } } } }", token=admin_token
        )
        actions = [e["node"]["action"] for e in events["auditEvents"]["edges"]]
        assert "MAIL_FAILED" in actions
        assert "MAIL_SENT" not in actions


class TestLocationTemplates:
    async def test_the_locations_own_template_is_sent(
        self, api: Api, admin_token: str, smtp_server: SmtpServer
    ) -> None:
        await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
        berlin = await german_location(api)
        bernd = await person(api, "bernd.mueller", "Bernd", "<Müller>", berlin)
        hans = await person(api, "hans.schulz", "Hans", "Schulz", berlin, language="en")
        saved = await api.data(SET_TEMPLATE, {"input": {**OWN_PASSWORD_MAIL,
            "locationId": to_global_id("Location", berlin)}}, token=admin_token)  # fmt: skip
        assert saved["setMailTemplate"] == {"errors": [], "mailTemplate": {
            "kind": "PASSWORD", "language": "de", "subject": OWN_PASSWORD_MAIL["subject"],
            "updatedBy": "root"}}  # fmt: skip

        mails = await mails_after_reset(api, admin_token, smtp_server, bernd, hans)

        own = mails["bernd.mueller@example.org"]
        assert own.message["Subject"] == "Berlin HQ: neues Passwort für Bernd <Müller>"
        assert own.text.startswith("Moin Bernd <Müller>,\nNeues Passwort: ")
        assert "Server: connect.example.de 🚀" in own.text
        # HTML from a template shows the user's data as text.
        assert "Moin Bernd &lt;Müller&gt;, Ihr Passwort: <b>" in own.html
        password = field(own.text, "Neues Passwort")
        assert (await api.sign_in_user("bernd.mueller", password))["token"]
        # No English template of its own: the built-in one.
        assert mails["hans.schulz@example.org"].message["Subject"] == (
            "Your Connect password was reset"
        )

    async def test_a_template_failing_at_send_time_gives_way_to_the_built_in_one(
        self, api: Api, admin_token: str, smtp_server: SmtpServer
    ) -> None:
        await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
        berlin = await german_location(api)
        bernd = await person(api, "bernd.mueller", "Bernd", "Müller", berlin)
        # Stored past the check (as from an older release): it names no such variable.
        async with api.services.uow as uow:
            await uow.mail_templates.save(MailTemplate(
                location_id=berlin, kind=MailKind.PASSWORD, language="de",
                subject="Hallo", html="<p>{{ kennwort }}</p>", text="{{ kennwort }}",
            ))  # fmt: skip
            await uow.commit()

        [mail] = (await mails_after_reset(api, admin_token, smtp_server, bernd)).values()

        assert mail.message["Subject"] == "Ihr Connect-Passwort wurde zurückgesetzt"
        password = field(mail.text, "Neues Passwort")
        assert (await api.sign_in_user("bernd.mueller", password))["token"]
        events = await api.data(
            "{ auditEvents(first: 20) { edges { node { action details } } } }", token=admin_token
        )
        [sent] = [
            e["node"]["details"] for e in events["auditEvents"]["edges"]
            if e["node"]["action"] == "MAIL_SENT"
        ]  # fmt: skip
        assert sent["template_fallback"] == "the location's template failed (UndefinedError)"
        assert password not in str(events)

    async def test_removing_the_template_brings_the_built_in_one_back(
        self, api: Api, admin_token: str
    ) -> None:
        berlin = to_global_id("Location", await german_location(api))
        await api.data(
            SET_TEMPLATE, {"input": {**OWN_PASSWORD_MAIL, "locationId": berlin}}, token=admin_token
        )
        listed = "query($l: ID!) { mailTemplates(locationId: $l) { kind language } }"
        assert (await api.data(listed, {"l": berlin}, token=admin_token))["mailTemplates"] == [
            {"kind": "PASSWORD", "language": "de"}
        ]
        delete = """mutation($l: ID!) { deleteMailTemplate(locationId: $l, kind: PASSWORD,
            language: "de") { ok } }"""
        await api.data(delete, {"l": berlin}, token=admin_token)
        assert (await api.data(listed, {"l": berlin}, token=admin_token))["mailTemplates"] == []


class TestPreviewAndTestSend:
    PREVIEW = """query($input: MailSampleInput!) { mailPreview(input: $input) {
        subject text html } }"""

    async def test_a_preview_renders_sample_data_in_the_language(
        self, api: Api, admin_token: str
    ) -> None:
        berlin = to_global_id("Location", await german_location(api))
        built_in = await api.data(self.PREVIEW, {"input": {"locationId": berlin,
            "kind": "VOICEMAIL_PIN", "language": "de"}}, token=admin_token)  # fmt: skip
        preview = built_in["mailPreview"]
        assert preview["subject"] == "Ihre Connect-Voicemail-PIN"
        assert preview["text"].startswith("Hallo Bernd Müller,")
        assert "Voicemail-PIN: 274958" in preview["text"]

        tried = await api.data(self.PREVIEW, {"input": {**OWN_PASSWORD_MAIL,
            "locationId": berlin}}, token=admin_token)  # fmt: skip
        assert tried["mailPreview"]["subject"] == "Berlin HQ: neues Passwort für Bernd Müller"

    async def test_a_test_send_reaches_the_address_given(
        self, api: Api, admin_token: str, smtp_server: SmtpServer
    ) -> None:
        await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
        berlin = to_global_id("Location", await german_location(api))
        send = """mutation($input: MailSampleInput!, $to: String!) {
            sendMailTemplateTest(input: $input, to: $to) { ok errors { code } } }"""
        sent = await api.data(send, {"to": "chefin@example.org", "input": {
            **OWN_PASSWORD_MAIL, "locationId": berlin}}, token=admin_token)  # fmt: skip

        assert sent["sendMailTemplateTest"] == {"ok": True, "errors": []}
        [mail] = smtp_server.received
        assert mail.rcpt_tos == ["chefin@example.org"]
        assert mail.message["Subject"] == "Berlin HQ: neues Passwort für Bernd Müller"


class TestTheSandbox:
    async def refused(self, api: Api, token: str, **parts: str) -> list[dict[str, Any]]:
        berlin = to_global_id("Location", await german_location(api))
        data = await api.data(SET_TEMPLATE, {"input": {**OWN_PASSWORD_MAIL, **parts,
            "locationId": berlin}}, token=token)  # fmt: skip
        assert data["setMailTemplate"]["mailTemplate"] is None
        listed = "query($l: ID!) { mailTemplates(locationId: $l) { kind } }"
        assert (await api.data(listed, {"l": berlin}, token=token))["mailTemplates"] == []
        return [{"code": e["code"], "field": e["field"]} for e in data["setMailTemplate"]["errors"]]

    async def test_reaching_for_python_internals_is_refused(
        self, api: Api, admin_token: str
    ) -> None:
        assert await self.refused(api, admin_token, html="{{ ''.__class__.__mro__ }}") == [
            {"code": "MAIL_TEMPLATE_UNSAFE", "field": ["input", "html"]}
        ]

    async def test_an_unknown_variable_is_refused(self, api: Api, admin_token: str) -> None:
        assert await self.refused(api, admin_token, text="{{ kennwort }}") == [
            {"code": "MAIL_TEMPLATE_UNKNOWN_VARIABLE", "field": ["input", "text"]}
        ]

    async def test_a_syntax_error_is_refused(self, api: Api, admin_token: str) -> None:
        assert await self.refused(api, admin_token, subject="{% if %}") == [
            {"code": "MAIL_TEMPLATE_SYNTAX_ERROR", "field": ["input", "subject"]}
        ]

    async def test_loops_are_refused(self, api: Api, admin_token: str) -> None:
        loop = "{% for a in login %}{% for b in login %}x{% endfor %}{% endfor %}"
        assert await self.refused(api, admin_token, text=loop) == [
            {"code": "MAIL_TEMPLATE_UNSAFE", "field": ["input", "text"]}
        ]

    async def test_a_line_break_in_the_subject_is_refused(self, api: Api, admin_token: str) -> None:
        assert await self.refused(api, admin_token, subject="Hallo\nBcc: x@example.org") == [
            {"code": "INVALID_CHARACTERS", "field": ["input", "subject"]}
        ]

    async def test_a_variable_cannot_inject_a_header(
        self, api: Api, admin_token: str, smtp_server: SmtpServer
    ) -> None:
        await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
        berlin = await german_location(api, hint="x\r\nBcc: evil@example.org\r\nX-Evil: 1")
        bernd = await person(api, "bernd.mueller", "Bernd", "Müller", berlin)
        await api.data(SET_TEMPLATE, {"input": {**OWN_PASSWORD_MAIL,
            "subject": "Neu: {{ sign_in_hint }}",
            "locationId": to_global_id("Location", berlin)}}, token=admin_token)  # fmt: skip

        [mail] = (await mails_after_reset(api, admin_token, smtp_server, bernd)).values()

        assert mail.rcpt_tos == ["bernd.mueller@example.org"]
        assert mail.message["Subject"] == "Neu: x Bcc: evil@example.org X-Evil: 1"
        assert mail.message["Bcc"] is None
        assert mail.message["X-Evil"] is None

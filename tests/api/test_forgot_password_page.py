"""The /forgot-password page over HTTP, without JavaScript: in the browser's language,
the same answer for a known and an unknown login, the link in the mailbox, the limit
a 429 page, a cross-site post refused."""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncEngine

from server.http.forgot_password import ASKED, FORGOT_PASSWORD_PATH
from server.http.set_password_texts import GERMAN
from tests.api.conftest import Api
from tests.api.test_forgot_password_api import allow
from tests.api.test_mail_api import CONFIGURE, dispatcher_services, gateway_input
from tests.api.test_password_link_api import LINK, user
from tests.smtp_server import SmtpServer

GERMAN_FIRST = {"Accept-Language": "fr-CH, de;q=0.9, en;q=0.8"}


def answer_of(page: str) -> str:
    found = re.search(r"<p role=status>(.*?)</p>", page, re.S)
    assert found is not None, page
    return found.group(1)


async def test_the_page_asks_in_the_browser_s_language_and_answers_alike(
    api: Api, admin_token: str, smtp_server: SmtpServer, engine: AsyncEngine
) -> None:
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    lea = await user(api, "lea", "de")
    await allow(api, admin_token, engine, lea)

    form = await api.client.get(FORGOT_PASSWORD_PATH, headers=GERMAN_FIRST)
    assert form.status_code == 200
    assert '<html lang="de">' in form.text
    assert "Login oder E-Mail-Adresse" in form.text
    assert "<script" not in form.text
    assert form.headers["cache-control"] == "no-store"
    assert "form-action 'self'" in form.headers["content-security-policy"]
    english = await api.client.get(FORGOT_PASSWORD_PATH, headers={"Accept-Language": "en-GB"})
    assert "Login or e-mail address" in english.text

    known = await api.client.post(FORGOT_PASSWORD_PATH, data={"login": "lea"},
                                  headers=GERMAN_FIRST)  # fmt: skip
    unknown = await api.client.post(FORGOT_PASSWORD_PATH, data={"login": "leah"},
                                    headers=GERMAN_FIRST)  # fmt: skip
    assert known.status_code == unknown.status_code == 200
    assert answer_of(known.text) == answer_of(unknown.text)
    assert answer_of(known.text).startswith("Wenn Ihr Standort es erlaubt")
    assert await dispatcher_services(api).outbox.dispatch_due() == 1
    [mail] = smtp_server.received
    assert mail.message["To"] == "lea@example.org"
    assert LINK.search(mail.text) is not None
    assert (
        "Sie haben einen Link zum Festlegen eines neuen Connect-Passworts angefordert" in mail.text
    )


async def test_past_the_limit_the_page_says_so_and_a_cross_site_post_is_refused(
    api: Api, admin_token: str, smtp_server: SmtpServer
) -> None:
    answers = [
        (await api.client.post(FORGOT_PASSWORD_PATH, data={"login": "max"})).status_code
        for _ in range(4)
    ]
    assert answers == [200, 200, 200, 429]
    limited = await api.client.post(FORGOT_PASSWORD_PATH, data={"login": "max"})
    assert "Too many requests" in limited.text
    assert "<form" in limited.text
    foreign = await api.client.post(
        FORGOT_PASSWORD_PATH, data={"login": "max"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert foreign.status_code == 403


def test_every_sentence_of_the_page_has_its_german() -> None:
    assert ASKED in GERMAN
    for sentence in ("Forgot your Connect password?", "Login or e-mail address", "Send link",
                     "Too many requests. Try again in 15 minutes."):  # fmt: skip
        assert sentence in GERMAN, sentence

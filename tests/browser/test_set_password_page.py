"""The set-password page of a mailed link in Chromium, offline: the policy checked as
the user types (the page's script, under its CSP: a refusal would be a console
error), the password set, then userSignIn with it. The served server, the sink and
the browser as in test_web_admin.py."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_web_admin import graphql_as_admin, mail_through, user_ids
from tests.browser.web_admin import NEEDS_CHROMIUM_AND_AXE, serving
from tests.smtp_server import SmtpServer

pytestmark = NEEDS_CHROMIUM_AND_AXE
CHOSEN = "Browser-Choice-2026x"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``connect-admin serve`` with the demo data, its public URL its own address."""
    with serving(tmp_path_factory.mktemp("set-password"), ["demo-data"], public_url=True) as url:
        yield url


def test_the_mailed_link_sets_the_password_checked_as_typed(page: Page, server: str) -> None:
    with SmtpServer() as sink:
        mail_through(server, sink)
        ids = user_ids(server)
        graphql_as_admin(
            server,
            "mutation($ids: [ID!]!) { resetUsers(ids: $ids, options: {setRandomPassword: true, "
            "sendPasswordLink: true}) { succeeded } }",
            ids=[ids["ida.koch"]],
        )
        [mail] = sink.wait_for(1)
    link = re.search(rf"{re.escape(server)}/set-password\?token=\S+", mail.text)
    assert link is not None, mail.text

    page.goto(link.group(0))
    live = page.locator("#live li")
    page.locator("input[name=password]").fill("short")
    expect(live.first).to_be_visible()
    page.locator("input[name=password]").fill(CHOSEN)
    page.locator("input[name=repeat]").fill(CHOSEN)
    expect(live).to_have_count(0)
    page.locator("button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()

    signed_in = httpx.post(
        f"{server}/graphql",
        json={"query": "mutation($l: String!, $p: String!) { userSignIn(login: $l, "
              "password: $p) { token passwordChangeRequired } }",
              "variables": {"l": "ida.koch", "p": CHOSEN}},
        timeout=30,
    ).json()["data"]["userSignIn"]  # fmt: skip
    assert signed_in["token"]
    assert signed_in["passwordChangeRequired"] is False

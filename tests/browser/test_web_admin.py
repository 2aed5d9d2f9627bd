"""The Web Administration (``/admin``) in a real browser without the internet.

The real server (``connect-admin serve`` on a free port of 127.0.0.1, a throwaway
SQLite database filled by ``connect-admin demo-data``, the mail dispatcher on), an
aiosmtpd sink on 127.0.0.1, and Debian's Chromium, headless, driven by Playwright.
Every request to a host other than 127.0.0.1 is aborted and recorded; each test
asserts there were none, and no console error (a CSP refusal is one). axe-core
(pinned in package.json, injected by the test) finds no serious or critical
violation on any screen. Screenshots of each screen go to ``test-output/web-admin/``.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import quote

import httpx
from playwright.sync_api import Page, expect

from tests.browser.web_admin import (
    ADMIN,
    LOCAL_HOST,
    MUNICH_ADMIN,
    NEEDS_CHROMIUM_AND_AXE,
    screen,
    sign_in,
    users_of,
)
from tests.smtp_server import SmtpServer

BERLIN_WITH_EMAIL = 5  # of the 7 users of Berlin HQ; david.fischer and greta.hoffmann have none

pytestmark = NEEDS_CHROMIUM_AND_AXE


def test_the_manual_procedure_resets_users_and_mails_their_passwords(
    page: Page, server: str, sink: SmtpServer
) -> None:
    page.goto(f"{server}/admin")
    screen(page, "01-sign-in")
    sign_in(page, server, *ADMIN)

    # System settings > E-Mail Gateway, pointing at the sink; its test mail arrives.
    page.get_by_role("link", name="System settings").click()
    page.get_by_role("link", name="E-Mail Gateway").click()
    page.get_by_label("SMTP host").fill(LOCAL_HOST)
    page.get_by_label("Port").fill(str(sink.port))
    page.get_by_label("Security").select_option("NONE")
    page.get_by_label("Sender address").fill("connect@example.com")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The gateway is saved.")).to_be_visible()
    page.get_by_label("Send a test mail to").fill("it@example.com")
    page.get_by_role("button", name="Send test mail").click()
    expect(page.get_by_text("The test mail was accepted")).to_be_visible()
    assert sink.wait_for(1)[0].rcpt_tos == ["it@example.com"]
    # A refusal shows the SMTP server's reply.
    sink.reply_next("550 5.1.1 No such mailbox")
    page.get_by_label("Send a test mail to").fill("nobody@example.com")
    page.get_by_role("button", name="Send test mail").click()
    expect(page.get_by_role("alert")).to_contain_text("550")
    expect(page.get_by_role("alert")).to_contain_text("No such mailbox")
    screen(page, "02-email-gateway")

    # User management > Berlin HQ > Users, 5 a page: a range with Shift, a range across
    # the pages, then the whole page.
    page.get_by_role("link", name="User management").click()
    users_of(page, "Berlin HQ")
    page.get_by_label("Users per page").select_option("5")
    rows = page.locator("tbody tr")
    expect(page.get_by_text("1\N{EN DASH}5 of 7")).to_be_visible()
    expect(rows).to_have_count(5)
    page.get_by_role("checkbox", name="Select Anna Schmidt").click()
    page.get_by_role("checkbox", name="Select Clara Weber").press("Shift+Space")
    expect(page.get_by_text("3 selected")).to_be_visible()
    other = page.get_by_role("button", name="Other…")
    expect(other).to_have_attribute("aria-haspopup", "menu")
    page.get_by_role("button", name="Next page").click()
    expect(page.get_by_text("6\N{EN DASH}7 of 7")).to_be_visible()
    expect(rows).to_have_count(2)
    page.get_by_role("checkbox", name="Select Felix Becker").click(modifiers=["Shift"])
    expect(page.get_by_text("6 selected")).to_be_visible()  # Clara to Felix: + David, Eva
    page.get_by_role("button", name="Previous page").click()
    expect(page.get_by_role("checkbox", name="Select Eva Wagner")).to_be_checked()
    page.get_by_role("button", name="Next page").click()
    expect(rows).to_have_count(2)
    page.get_by_role("checkbox", name="Select all users on this page").check()
    expect(page.get_by_text("7 selected")).to_be_visible()
    page.get_by_role("button", name="Previous page").click()  # the selection stays
    expect(rows).to_have_count(5)

    # Other…, a menu button, by keyboard: ArrowDown opens it on its first item, the
    # arrows move, Escape closes it and gives the focus back.
    menu = page.get_by_role("menu", name="Other…")
    other.focus()
    other.press("ArrowDown")
    expect(other).to_have_attribute("aria-expanded", "true")
    single = menu.get_by_role("menuitem", name="Reset user…")
    multiple = menu.get_by_role("menuitem", name="Reset for multiple selections…")
    expect(single).to_be_focused()
    expect(single).to_have_attribute("aria-disabled", "true")  # 7 are selected
    page.keyboard.press("ArrowDown")
    expect(multiple).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(single).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(multiple).to_be_focused()
    screen(page, "03-users-selected")
    page.keyboard.press("Escape")
    expect(menu).to_have_count(0)
    expect(other).to_be_focused()
    expect(other).to_have_attribute("aria-expanded", "false")

    # Other… > Reset for multiple selections: all six options, the dry run first.
    other.press("Enter")
    expect(single).to_be_focused()
    page.keyboard.press("End")
    expect(multiple).to_be_focused()
    page.keyboard.press("Enter")
    for option in (
        "Set a random password",
        "Set a random voicemail PIN",
        "Reset relationships",
        "Reset Connect Client settings",
        "Reset presence settings",
        "Repair the contact list",
    ):
        page.get_by_label(option).check()
    expect(page.get_by_role("button", name="Reset", exact=True)).to_be_disabled()
    page.get_by_role("button", name="Check first (dry run)").click()
    dry_run = page.get_by_role("region", name="Dry run per user")
    anna = dry_run.get_by_role("row", name="Anna Schmidt")
    expect(anna).to_contain_text("VIP_RELATIONSHIPS_DELETED")
    david = dry_run.get_by_role("row", name="David Fischer")
    expect(david).to_contain_text("would fail")
    expect(david).to_contain_text("EMAIL_MISSING")
    assert len(sink.received) == 1  # a dry run sends nothing
    screen(page, "04-dry-run")

    page.get_by_role("button", name="Reset", exact=True).click()
    expect(page.get_by_role("heading", name="Reset finished")).to_be_visible()
    # Followed over resetProgress to its end.
    expect(page.get_by_text("Progress reported: 7 of 7 users, finished.")).to_be_visible()
    results = page.get_by_role("region", name="Result per user")
    expect(results.get_by_role("row")).to_have_count(8)
    expect(page.get_by_role("status")).to_contain_text(
        "5 of 7 users reset completely; 2 partly failed, 0 failed"
    )
    expect(results.get_by_role("row", name="Bernd Müller")).to_contain_text("Succeeded")
    david = results.get_by_role("row", name="David Fischer")
    expect(david).to_contain_text("Partly failed")
    expect(david).to_contain_text("Password: failed")
    expect(david).to_contain_text(
        re.compile(r"Relationships: (\d+ relationships? changed|nothing to change)")
    )
    screen(page, "05-reset-results")

    # The password mails reach the sink, one to each user with an address.
    received = sink.wait_for(1 + BERLIN_WITH_EMAIL)
    recipients = sorted(r for m in received[1:] for r in m.rcpt_tos)
    assert len(recipients) == BERLIN_WITH_EMAIL
    assert any(r.startswith("bernd.mueller@") for r in recipients)

    # Anna is a VIP: the reset deleted the relationships she kept herself; undo them.
    page.get_by_role("button", name="Check undo (dry run)").click()
    check = page.get_by_role("region", name="Undo dry run per user")
    expect(check.get_by_role("row", name="Anna Schmidt")).to_contain_text(
        re.compile(r"Relationships: \d+ relationships? will change")
    )
    page.get_by_role("button", name="Undo reset").click()
    undone = page.get_by_role("region", name="Undo per user")
    expect(undone.get_by_role("row", name="Anna Schmidt")).to_contain_text(
        re.compile(r"Relationships: \d+ relationships? changed")
    )
    expect(page.get_by_role("heading", name="Reset finished and undone")).to_be_visible()
    screen(page, "05b-reset-undone")

    page.get_by_role("link", name="Change log").click()
    expect(page.get_by_role("cell", name="USER_RESET").first).to_be_visible()
    # The reset of the seven is one entry that opens to its users' sentences.
    page.get_by_text("admin reset 7 users").first.click()
    bernd = page.get_by_text(re.compile(r"^admin reset Bernd Müller: Password"))
    expect(bernd.first).to_be_visible()
    screen(page, "06-change-log")


def test_a_password_set_by_hand_is_refused_by_the_policy_then_accepted(
    page: Page, server: str
) -> None:
    sign_in(page, server, *ADMIN)
    users_of(page, "Munich")
    page.get_by_label("Search users").fill("hans")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Hans Schulz").click()
    expect(page.get_by_role("heading", name="Hans Schulz")).to_be_visible()

    page.get_by_label("New password").fill("short")
    expect(page.get_by_text("Not yet met: at least 12 characters")).to_be_visible()
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("alert")).to_contain_text("PASSWORD_POLICY")
    screen(page, "07-password-refused")

    page.get_by_label("New password").fill("Hand-Set-Passw0rd")
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("The password is set.")).to_be_visible()
    screen(page, "08-password-set")


def test_a_sub_administrator_sees_only_its_location_on_a_phone(page: Page, server: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, server, *MUNICH_ADMIN)
    scopes = page.get_by_role("navigation", name="Locations and configuration groups")
    expect(scopes.get_by_role("link", name="Munich", exact=True)).to_be_visible()
    expect(scopes.get_by_role("link", name="Berlin HQ")).to_have_count(0)
    expect(page.get_by_role("link", name="E-Mail Gateway")).to_have_count(0)
    expect(page.locator("tbody tr")).to_have_count(5)
    # One user selected: Other… offers Reset user; Reset for multiple selections does not apply.
    page.get_by_role("checkbox", name="Select Hans Schulz").check()
    page.get_by_role("button", name="Other…").click()
    menu = page.get_by_role("menu", name="Other…")
    multiple = menu.get_by_role("menuitem", name="Reset for multiple selections…")
    expect(multiple).to_have_attribute("aria-disabled", "true")
    expect(menu.get_by_role("menuitem", name="Reset user…")).to_be_focused()
    screen(page, "10-other-menu-phone")
    menu.get_by_role("menuitem", name="Reset user…").click()
    expect(page.get_by_role("heading", name="Reset user Hans Schulz")).to_be_visible()
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_text("1 selected")).to_be_visible()
    page.get_by_label("Search users").fill("anna")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No users match.")).to_be_visible()
    screen(page, "09-sub-administrator-phone")

    token = page.evaluate("JSON.parse(sessionStorage.getItem('connect-admin.session')).token")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    # Signing out ended the session on the server: the token is worthless now.
    refused = httpx.post(
        f"{server}/graphql",
        json={"query": "{ locations { id } }"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["UNAUTHENTICATED"]


def test_an_administrator_made_by_another_chooses_a_password_first(page: Page, server: str) -> None:
    created = graphql_as_admin(
        server,
        'mutation { createAdministrator(input: {login: "ida.koch", '
        'password: "Chosen-by-admin-1", lastName: "Koch"}) { errors { code } } }',
    )
    assert created["createAdministrator"]["errors"] == []

    page.goto(f"{server}/admin")
    page.get_by_label("Login").fill("ida.koch")
    page.get_by_label("Password").fill("Chosen-by-admin-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("Her-own-Passw0rd-2")
    page.get_by_label("Repeat the new password").fill("Her-own-Passw0rd-3")
    page.get_by_role("button", name="Change the password and go on").click()
    expect(page.get_by_role("alert")).to_contain_text("The two new passwords differ.")
    page.get_by_label("Repeat the new password").fill("Her-own-Passw0rd-2")
    screen(page, "10-choose-own-password")
    page.get_by_role("button", name="Change the password and go on").click()

    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, server, "ida.koch", "Her-own-Passw0rd-2")


def graphql_as_admin(server: str, query: str, **variables: object) -> dict[str, Any]:
    signed_in = httpx.post(
        f"{server}/graphql",
        json={"query": "mutation($l: String!, $p: String!) { adminSignIn(login: $l, "
              "password: $p) { token } }", "variables": {"l": ADMIN[0], "p": ADMIN[1]}},
        timeout=30,
    ).json()  # fmt: skip
    answer = httpx.post(
        f"{server}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {signed_in['data']['adminSignIn']['token']}"},
        timeout=30,
    ).json()
    assert "errors" not in answer, answer
    data: dict[str, Any] = answer["data"]
    return data


def mail_through(server: str, sink: SmtpServer) -> None:
    """The gateway set to send through ``sink``, without TLS."""
    graphql_as_admin(
        server,
        "mutation($i: EmailGatewayInput!) { configureEmailGateway(input: $i) { errors "
        "{ code } } }",
        i={"host": LOCAL_HOST, "port": sink.port, "security": "NONE",
           "senderAddress": "connect@example.com"},
    )  # fmt: skip


def user_ids(server: str) -> dict[str, str]:
    """The demo users' ids by their logins."""
    found = graphql_as_admin(server, "{ users(first: 100) { edges { node { id login } } } }")
    return {e["node"]["login"]: e["node"]["id"] for e in found["users"]["edges"]}


def mail_states(server: str, user_id: str) -> list[str]:
    found = graphql_as_admin(
        server,
        "query($id: ID!) { node(id: $id) { ... on User { mailDeliveries { status } } } }",
        id=user_id,
    )
    return [m["status"] for m in found["node"]["mailDeliveries"]]


def test_a_refused_mail_shows_its_reply_and_a_new_password_goes_out(
    page: Page, server: str
) -> None:
    with SmtpServer() as own_sink:
        mail_through(server, own_sink)
        ids = user_ids(server)
        # Oldest first: Hans's mail is refused, then Ida's goes out.
        own_sink.reply_next("550 5.1.1 No such mailbox")
        graphql_as_admin(
            server,
            "mutation($ids: [ID!]!) { resetUsers(ids: $ids, options: {setRandomPassword: true}) "
            "{ succeeded } }",
            ids=[ids["hans.schulz"], ids["ida.koch"]],
        )
        assert [m.rcpt_tos for m in own_sink.wait_for(1)] == [["ida.koch@example.com"]]
        # The refusal is stored with the next message the server accepts: Ida's.
        deadline = time.monotonic() + 30
        while mail_states(server, ids["hans.schulz"]) != ["FAILED"]:
            assert time.monotonic() < deadline, mail_states(server, ids["hans.schulz"])
            time.sleep(0.05)

        sign_in(page, server, *ADMIN)
        page.goto(f"{server}/admin#/user/{quote(ids['hans.schulz'])}")
        mails = page.get_by_role("region", name="Mails to this user")
        expect(mails).to_contain_text("failed after 1 attempt")
        expect(mails).to_contain_text("550 recipient refused: 5.1.1 No such mailbox")
        screen(page, "11-mail-refused")
        page.get_by_role("button", name="Send a new password").click()
        expect(page.get_by_text("Reset: the new mail is queued.")).to_be_visible()

        assert len(own_sink.wait_for(2)) == 2
        page.get_by_role("button", name="Refresh").click()
        expect(mails.locator("tbody tr").first).to_contain_text("sent")


def test_a_location_sends_its_own_mail_text_previewed_tested_and_taken_back(
    page: Page, server: str
) -> None:
    with SmtpServer() as own_sink:
        mail_through(server, own_sink)
        sign_in(page, server, *ADMIN)
        page.goto(f"{server}/admin#/system/templates")
        page.get_by_label("Location").select_option(label="Munich")
        page.get_by_label("Language of the mail").select_option("de")
        expect(page.get_by_text("This location sends the built-in text.")).to_be_visible()

        page.get_by_label("Subject").fill("{{ location }}: {{ ''.__class__ }}")
        page.get_by_label("HTML").fill("<p>Hallo {{ display_name }}</p>")
        page.get_by_label("Plain text").fill("Hallo {{ display_name }}: {{ password }}")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("alert")).to_contain_text("MAIL_TEMPLATE_UNSAFE")

        page.get_by_label("Subject").fill("{{ location }}: Ihr neues Kennwort")
        page.get_by_role("button", name="Preview").click()
        preview = page.get_by_role("region", name="Preview with sample data")
        expect(preview).to_contain_text("Munich: Ihr neues Kennwort")
        expect(preview).to_contain_text("Hallo Bernd Müller:")
        html_part = page.frame_locator("iframe.mail-preview").locator("body")
        expect(html_part).to_contain_text("Hallo Bernd Müller")
        screen(page, "12-mail-template")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("The text is saved")).to_be_visible()
        page.reload()
        page.get_by_label("Location").select_option(label="Munich")
        page.get_by_label("Language of the mail").select_option("de")
        expect(page.get_by_text("The location's own text, saved")).to_be_visible()

        page.get_by_label("Test mail to").fill("it@example.com")
        page.get_by_role("button", name="Send a test").click()
        expect(page.get_by_text("The test mail to it@example.com was accepted.")).to_be_visible()
        [sent] = own_sink.wait_for(1)
        assert sent.message["Subject"] == "Munich: Ihr neues Kennwort"

        page.get_by_role("button", name="Back to the built-in text").click()
        expect(page.get_by_text("The built-in text is sent again.")).to_be_visible()
        expect(page.get_by_text("This location sends the built-in text.")).to_be_visible()

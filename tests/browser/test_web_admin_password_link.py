"""A location's password-link default in its Settings (Default or Individual), and the
reset's result saying that a link, not the password, went to the user. The served
server (its public URL its own address) as in test_set_password_page.py."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.browser.test_set_password_page import server
from tests.browser.test_web_admin import graphql_as_admin
from tests.browser.web_admin import (
    ADMIN,
    LOCAL_HOST,
    NEEDS_CHROMIUM_AND_AXE,
    screen,
    sign_in,
    users_of,
)
from tests.smtp_server import SmtpServer

__all__ = ["server"]  # the set-password page's server (its public URL its own), used by name

pytestmark = NEEDS_CHROMIUM_AND_AXE


def test_a_location_mails_links_by_default_and_the_result_says_so(page: Page, server: str) -> None:
    sign_in(page, server, *ADMIN)
    page.get_by_role("link", name="User management").click()
    users_of(page, "Berlin HQ")
    page.get_by_role("link", name="Settings", exact=True).click()
    choice = page.get_by_role("group", name="Password of a reset")
    expect(choice.get_by_label("Default")).to_be_checked()
    expect(choice).to_contain_text("The new password itself is mailed to the user.")
    choice.get_by_label("Individual").check()
    choice.get_by_label("Mail a one-time link to choose a new password").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    screen(page, "settings-password-link")
    page.reload()
    choice = page.get_by_role("group", name="Password of a reset")
    expect(choice.get_by_label("Individual")).to_be_checked()
    expect(choice.get_by_label("Mail a one-time link to choose a new password")).to_be_checked()

    with SmtpServer() as sink:
        graphql_as_admin(
            server,
            "mutation($i: EmailGatewayInput!) { configureEmailGateway(input: $i) { errors "
            "{ code } } }",
            i={"host": LOCAL_HOST, "port": sink.port, "security": "NONE",
               "senderAddress": "connect@example.com"},
        )  # fmt: skip
        page.get_by_role("link", name="User", exact=True).click()
        page.get_by_role("checkbox", name="Select Clara Weber").click()
        page.get_by_role("button", name="Other…").click()
        page.get_by_role("menu", name="Other…").get_by_role("menuitem", name="Reset user…").click()
        page.get_by_label("Set a random password (mailed to the user)").check()
        page.get_by_role("button", name="Check first (dry run)").click()
        page.get_by_role("button", name="Reset", exact=True).click()
        expect(page.get_by_role("heading", name="Reset finished")).to_be_visible()
        done = page.get_by_role("region", name="Result per user").get_by_role(
            "row", name="Clara Weber"
        )
        expect(done).to_contain_text("a one-time link to set a new password goes to the user")
        screen(page, "reset-result-password-link")
        [mail] = sink.wait_for(1)
    assert re.search(rf"{re.escape(server)}/set-password\?token=\S+", mail.text), mail.text


def test_a_location_allows_forgot_password_and_the_change_log_shows_the_requests(
    page: Page, server: str
) -> None:
    sign_in(page, server, *ADMIN)
    page.get_by_role("link", name="User management").click()
    users_of(page, "Berlin HQ")
    page.get_by_role("link", name="Settings", exact=True).click()
    choice = page.get_by_role("group", name="Forgot password")
    expect(choice.get_by_label("Default")).to_be_checked()
    expect(choice).to_contain_text("Users cannot ask for a set-password link themselves.")
    choice.get_by_label("Individual").check()
    choice.get_by_label("Users may ask for a one-time link").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()

    with SmtpServer() as sink:
        graphql_as_admin(
            server,
            "mutation($i: EmailGatewayInput!) { configureEmailGateway(input: $i) { errors "
            "{ code } } }",
            i={"host": LOCAL_HOST, "port": sink.port, "security": "NONE",
               "senderAddress": "connect@example.com"},
        )  # fmt: skip
        admin = page.url
        page.goto(f"{server}/forgot-password")
        screen(page, "forgot-password-page")
        page.get_by_label("Login or e-mail address").fill("eva.wagner")
        page.get_by_role("button", name="Send link").click()
        expect(page.get_by_role("status")).to_contain_text("a link to set a new password")
        page.goto(admin)
        for login in ("hans.schulz", "nobody.here"):
            asked = httpx.post(f"{server}/forgot-password", data={"login": login}, timeout=30)
            assert asked.status_code == 200
        [mail] = sink.wait_for(1)
    assert re.search(rf"{re.escape(server)}/set-password\?token=\S+", mail.text), mail.text

    page.get_by_role("link", name="Change log").click()
    page.get_by_label("Action").select_option("PASSWORD_LINK_REQUESTED")
    page.get_by_role("button", name="Filter").click()
    table = page.get_by_role("region", name="Change log")
    expect(table).to_contain_text(
        "Someone asked for a set-password link for “eva.wagner”: link mailed"
    )
    expect(table).to_contain_text(
        "Someone asked for a set-password link for “nobody.here”: no such user, nothing mailed"
    )
    expect(table).to_contain_text(
        "for “hans.schulz”: the user's location does not allow it, nothing mailed"
    )
    screen(page, "change-log-forgot-password")

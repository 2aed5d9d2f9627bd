"""The reset dialog offers unlock and expire password, and its results name them."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.web_admin import (
    ADMIN,
    NEEDS_CHROMIUM_AND_AXE,
    screen,
    sign_in,
    users_of,
)

pytestmark = NEEDS_CHROMIUM_AND_AXE


def test_the_reset_dialog_unlocks_and_expires_the_password(page: Page, server: str) -> None:
    sign_in(page, server, *ADMIN)
    page.get_by_role("link", name="User management").click()
    users_of(page, "Berlin HQ")
    page.get_by_role("checkbox", name="Select Clara Weber").click()
    page.get_by_role("button", name="Other…").click()
    page.get_by_role("menu", name="Other…").get_by_role("menuitem", name="Reset user…").click()
    page.get_by_label("Unlock (end the sign-in and voicemail PIN lockouts)").check()
    page.get_by_label("Expire the password").check()

    page.get_by_role("button", name="Check first (dry run)").click()
    dry = page.get_by_role("region", name="Dry run per user").get_by_role("row", name="Clara Weber")
    expect(dry).to_contain_text("Lockouts")
    expect(dry).to_contain_text("Password expiry")
    screen(page, "reset-access-dry-run")
    page.get_by_role("button", name="Reset", exact=True).click()

    expect(page.get_by_role("heading", name="Reset finished")).to_be_visible()
    done = page.get_by_role("region", name="Result per user").get_by_role("row", name="Clara Weber")
    expect(done).to_contain_text("Lockouts")
    expect(done).to_contain_text("Password expiry")

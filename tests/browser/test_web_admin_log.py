"""The change log of one user: picked by searching or opened from the user's details, with
its own address (back and reload keep it), for both roles; a user a sub-administrator does
not see shows no events."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_web_admin_screens import TEXTS, log_in
from tests.browser.web_admin import (
    ADMIN,
    MUNICH_ADMIN,
    NEEDS_CHROMIUM_AND_AXE,
    Offline,
    screen,
)

pytestmark = NEEDS_CHROMIUM_AND_AXE


def user_page(page: Page, location: str, name: str) -> str:
    """Opens the user's details from the location's users; the user's ID."""
    page.goto(page.url.split("#")[0] + "#/users")
    tree = page.get_by_role("navigation", name=TEXTS["en"]["tree"])
    tree.get_by_role("link", name=location, exact=True).click()
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    return page.url.split("#/user/")[1]


def only_about(page: Page, name: str) -> None:
    """The list, once its user's creation is in it, holds only events about the user."""
    table = page.get_by_role("region", name="Change log")
    expect(table).to_contain_text(f"system created {name}")
    rows = table.locator("tbody tr")
    texts = rows.all_inner_texts()
    assert texts
    assert all(name in text for text in texts), texts


@pytest.mark.parametrize("language", ["en"])
def test_the_change_log_of_one_user_keeps_its_address(
    opened: tuple[Page, Offline], server: str, language: str
) -> None:
    page, _ = opened
    log_in(page, server, TEXTS["en"], *ADMIN)
    anna = user_page(page, "Berlin HQ", "Anna Schmidt")
    user_page(page, "Munich", "Hans Schulz")
    page.get_by_role("link", name="Change log of this user").click()
    expect(page.get_by_role("heading", name="Change log of Hans Schulz")).to_be_visible()
    assert "#/changelog?user=" in page.url
    only_about(page, "Hans Schulz")
    page.reload()
    expect(page.get_by_role("heading", name="Change log of Hans Schulz")).to_be_visible()
    only_about(page, "Hans Schulz")

    # Another user, picked by searching; the action filter beside it.
    page.get_by_role("button", name="Any user").click()
    page.get_by_label("User", exact=True).fill("koch")
    page.get_by_label("User", exact=True).press("Enter")
    page.get_by_role("button", name="Only Ida Koch").click()
    page.get_by_label("Action").select_option("USER_CREATED")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page.get_by_role("heading", name="Change log of Ida Koch")).to_be_visible()
    expect(page.get_by_role("region", name="Change log").locator("tbody tr")).to_have_count(1)
    only_about(page, "Ida Koch")
    screen(page, "change-log-of-a-user")
    page.go_back()
    expect(page.get_by_role("heading", name="Change log of Hans Schulz")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("heading", name="Hans Schulz")).to_be_visible()

    # The Munich administrator: its own users' log; a Berlin user's shows no events.
    page.get_by_role("button", name="Sign out").click()
    log_in(page, server, TEXTS["en"], *MUNICH_ADMIN)
    user_page(page, "Munich", "Hans Schulz")
    page.get_by_role("link", name="Change log of this user").click()
    expect(page.get_by_role("heading", name="Change log of Hans Schulz")).to_be_visible()
    only_about(page, "Hans Schulz")
    page.goto(f"{server}/admin#/changelog?user={anna}")
    expect(page.get_by_text("No events match.")).to_be_visible()
    expect(page.locator(".picked")).to_contain_text("a user not found")
    expect(page.get_by_role("heading", name="Change log", exact=True)).to_be_visible()

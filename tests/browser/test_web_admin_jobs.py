"""Reset user > Run later stores a job; the Jobs screen lists it, cancels it, and offers
the report of a job that ran."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import Page, expect

from tests.browser.web_admin import ADMIN, NEEDS_CHROMIUM_AND_AXE, screen, sign_in, users_of

pytestmark = NEEDS_CHROMIUM_AND_AXE


def schedule_for_clara(page: Page, server: str, when: str) -> None:
    sign_in(page, server, *ADMIN)
    page.get_by_role("link", name="User management").click()
    users_of(page, "Berlin HQ")
    page.get_by_role("checkbox", name="Select Clara Weber").click()
    page.get_by_role("button", name="Other…").click()
    page.get_by_role("menu", name="Other…").get_by_role("menuitem", name="Reset user…").click()
    page.get_by_label("Reset Connect Client settings").check()
    page.get_by_label("Run at").fill(when)
    page.get_by_role("button", name="Run later").click()
    expect(page.get_by_role("heading", name="Reset scheduled")).to_be_visible()
    page.get_by_role("link", name="Jobs").first.click()


def test_a_job_run_later_is_listed_and_cancelled(page: Page, server: str) -> None:
    schedule_for_clara(page, server, "2099-01-01T06:00")

    jobs = page.get_by_role("region", name="Reset jobs")
    row = jobs.get_by_role("row").filter(has_text="Scheduled").first
    expect(row).to_contain_text("Connect Client settings")
    screen(page, "reset-jobs")
    row.get_by_role("button", name="Cancel job").click()

    expect(jobs.get_by_role("row").filter(has_text="Cancelled").first).to_be_visible()


def test_a_job_that_ran_offers_its_report(page: Page, server: str) -> None:
    schedule_for_clara(page, server, "2000-01-01T06:00")

    jobs = page.get_by_role("region", name="Reset jobs")
    finished = jobs.get_by_role("row").filter(has_text="Finished").first
    for _ in range(20):
        if finished.count():
            break
        page.get_by_role("button", name="Reload").click()
        page.wait_for_load_state("networkidle")
    with page.expect_download() as download:
        finished.get_by_role("link", name="Report (CSV)").click()
    with open(download.value.path(), encoding="utf-8-sig") as file:
        text = file.read()
    header, *rows = list(csv.reader(io.StringIO(text)))

    assert header[:3] == ["No.", "User ID", "Login"]
    assert [row[4:6] for row in rows] == [["CLIENT_SETTINGS", "DONE"]]


def test_all_users_of_a_location_are_reset_as_a_selection(page: Page, server: str) -> None:
    sign_in(page, server, *ADMIN)
    page.get_by_role("link", name="User management").click()
    users_of(page, "Berlin HQ")
    page.get_by_role("button", name=re.compile(r"^Reset all \d+ users…$")).click()
    expect(
        page.get_by_role("heading", name=re.compile("Reset all users of Berlin HQ"))
    ).to_be_visible()
    page.get_by_label("Reset Connect Client settings").check()

    page.get_by_role("button", name="Check first (dry run)").click()

    summary = page.get_by_role("status").filter(has_text="users without a problem")
    expect(summary).to_contain_text(re.compile(r"(\d+) of \1 users without a problem"))
    screen(page, "reset-selection-dry-run")

"""Directory data sources: each with the contacts that come from it (in the contact lists
the one signed in reads); deactivating asks first and says how many contacts the next
contact-list repair removes, in both languages with their plural forms."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.test_web_admin_screens import TEXTS, log_in
from tests.browser.web_admin import (
    ADMIN,
    MUNICH_ADMIN,
    NEEDS_CHROMIUM_AND_AXE,
    Offline,
    screen,
)

pytestmark = NEEDS_CHROMIUM_AND_AXE
# The demo data: Corporate LDAP (active) has one contact, Bernd's of Berlin HQ; Legacy CRM
# (deactivated) two, Bernd's and Hans's of Munich.
NAME = {"en": "Directory data sources", "de": "Verzeichnisdatenquellen"}


def sources(page: Page, server: str, language: str) -> Locator:
    page.goto(f"{server}/admin#/system/directory")
    table = page.get_by_role("region", name=NAME[language])
    expect(table.get_by_role("row", name="Corporate LDAP")).to_be_visible()
    return table


def contacts(table: Locator, source: str) -> Locator:
    return table.get_by_role("row", name=source).locator("td").nth(1)


@pytest.mark.parametrize("language", ["en"])
def test_deactivating_says_how_many_contacts_the_repair_removes(
    opened: tuple[Page, Offline], server: str, language: str
) -> None:
    page, _ = opened
    log_in(page, server, TEXTS["en"], *ADMIN)
    table = sources(page, server, "en")
    expect(contacts(table, "Corporate LDAP")).to_have_text("1")
    expect(contacts(table, "Legacy CRM")).to_have_text("2")

    table.get_by_role("button", name="Deactivate Corporate LDAP").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_have_text(
        "Deactivate Corporate LDAP? 1 contact will be removed at the next contact-list "
        "repair.DeactivateCancel"
    )
    confirm.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(table.get_by_role("row", name="Corporate LDAP")).to_contain_text("active")

    table.get_by_role("button", name="Activate Legacy CRM").click()
    table.get_by_role("button", name="Deactivate Legacy CRM").click()
    expect(page.get_by_role("alertdialog")).to_contain_text(
        "2 contacts will be removed at the next contact-list repair."
    )
    screen(page, "data-source-deactivate-confirmation")
    page.get_by_role("alertdialog").get_by_role("button", name="Deactivate", exact=True).click()
    expect(table.get_by_role("row", name="Legacy CRM")).to_contain_text("deactivated")
    expect(contacts(table, "Legacy CRM")).to_have_text("2")


@pytest.mark.parametrize("language", ["de"])
def test_the_confirmation_in_german_and_a_sub_administrator_s_counts(
    opened: tuple[Page, Offline], server: str, language: str
) -> None:
    page, _ = opened
    log_in(page, server, TEXTS["de"], *ADMIN)
    table = sources(page, server, "de")
    table.get_by_role("button", name="Corporate LDAP deaktivieren").click()
    expect(page.get_by_role("alertdialog")).to_contain_text(
        "Corporate LDAP deaktivieren? 1 Kontakt wird bei der nächsten Reparatur der "
        "Kontaktlisten entfernt."
    )
    page.get_by_role("alertdialog").get_by_role("button", name="Abbrechen").click()
    table.get_by_role("button", name="Legacy CRM aktivieren").click()
    table.get_by_role("button", name="Legacy CRM deaktivieren").click()
    expect(page.get_by_role("alertdialog")).to_contain_text(
        "2 Kontakte werden bei der nächsten Reparatur der Kontaktlisten entfernt."
    )
    page.get_by_role("alertdialog").get_by_role("button", name="Deaktivieren").click()
    expect(table.get_by_role("row", name="Legacy CRM")).to_contain_text("deaktiviert")

    # The Munich administrator counts its users' contacts only, and changes no source.
    page.get_by_role("button", name=TEXTS["de"]["sign_out"]).click()
    log_in(page, server, TEXTS["de"], *MUNICH_ADMIN)
    table = sources(page, server, "de")
    expect(contacts(table, "Corporate LDAP")).to_have_text("0")
    expect(contacts(table, "Legacy CRM")).to_have_text("1")
    expect(table.get_by_role("button")).to_have_count(0)
    screen(page, "data-sources-sub-administrator-de")

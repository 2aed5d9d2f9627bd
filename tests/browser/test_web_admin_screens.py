"""Every screen of the Web Administration, for both roles and in both languages, at
1280x800 and 390x844: axe-core without serious or critical violations, screenshots under
``test-output/web-admin/``, nothing from outside 127.0.0.1. Also: the screens' modules
are loaded when first opened, every screen has its own address (back and reload keep
it), and the language switch is kept."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.web_admin import (
    ADMIN,
    MUNICH_ADMIN,
    NEEDS_CHROMIUM_AND_AXE,
    SIZES,
    Offline,
    screen,
)

pytestmark = NEEDS_CHROMIUM_AND_AXE
TEXTS = {
    "en": {"users": "User management", "system": "System settings", "log": "Change log",
           "settings": "Settings", "sign_out": "Sign out", "login": "Login",
           "password": "Password", "sign_in": "Sign in",
           "tree": "Locations and configuration groups"},
    "de": {"users": "Benutzerverwaltung", "system": "Systemeinstellungen",
           "log": "Änderungsprotokoll", "settings": "Einstellungen", "sign_out": "Abmelden",
           "login": "Anmeldename", "password": "Kennwort", "sign_in": "Anmelden",
           "tree": "Standorte und Konfigurationsgruppen"},
}  # fmt: skip


def log_in(page: Page, server: str, texts: dict[str, str], login: str, password: str) -> None:
    page.goto(f"{server}/admin")
    page.get_by_label(texts["login"], exact=True).fill(login)
    page.get_by_label(texts["password"], exact=True).fill(password)
    page.get_by_role("button", name=texts["sign_in"]).click()
    expect(page.get_by_role("button", name=texts["sign_out"])).to_be_visible()


def both_sizes(page: Page, name: str) -> None:
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        screen(page, f"{name}-{size}")
    page.set_viewport_size(SIZES["wide"])


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("role", ["system", "sub"])
def test_every_screen_for_both_roles_in_both_languages(
    opened: tuple[Page, Offline], server: str, language: str, role: str
) -> None:
    page, _ = opened
    texts = TEXTS[language]
    prefix = f"screen-{role}-{language}"
    page.goto(f"{server}/admin")
    expect(page.locator("html")).to_have_attribute("lang", language)
    both_sizes(page, f"{prefix}-00-sign-in")
    log_in(page, server, texts, *(ADMIN if role == "system" else MUNICH_ADMIN))

    tree = page.get_by_role("navigation", name=texts["tree"])
    tree.get_by_role("link", name="Munich", exact=True).click()
    expect(page.locator("tbody tr").first).to_be_visible()
    both_sizes(page, f"{prefix}-01-users")
    page.get_by_role("link", name=texts["settings"], exact=True).click()
    expect(page.locator(".settings h2")).to_be_visible()
    both_sizes(page, f"{prefix}-02-location-settings")
    group = tree.locator("ul ul a").first
    group.click()
    expect(page.locator(".settings h2")).to_contain_text(group.inner_text())
    both_sizes(page, f"{prefix}-03-group-settings")

    page.goto(f"{server}/admin#/users")
    tree.get_by_role("link", name="Munich", exact=True).click()
    page.get_by_role("link", name="Hans Schulz").click()
    expect(page.get_by_role("heading", name="Hans Schulz")).to_be_visible()
    both_sizes(page, f"{prefix}-04-user-details")

    page.get_by_role("link", name=texts["system"]).click()
    tabs = page.locator(".system .tabs a")
    expect(tabs.first).to_be_visible()
    names = tabs.all_inner_texts()
    assert len(names) == (6 if role == "system" else 5), names
    for i in range(len(names)):
        page.locator(".system .tabs a").nth(i).click()
        expect(page.locator(".system .tabs a").nth(i)).to_have_attribute("aria-current", "page")
        expect(page.get_by_role("heading", level=2)).to_be_visible()
        both_sizes(page, f"{prefix}-05-system-{i}")

    page.get_by_role("link", name=texts["log"]).click()
    expect(page.locator("tbody tr").first).to_be_visible()
    both_sizes(page, f"{prefix}-06-change-log")


@pytest.mark.parametrize("language", ["en"])
def test_screens_load_when_first_opened_and_keep_their_address(
    opened: tuple[Page, Offline], server: str, language: str
) -> None:
    page, _ = opened
    modules: list[str] = []
    page.on("request", lambda r: modules.append(urlsplit(r.url).path.rsplit("/", 1)[-1]))
    log_in(page, server, TEXTS["en"], *ADMIN)
    expect(page.get_by_role("heading", name="Users of Berlin HQ")).to_be_visible()
    assert "users.js" in modules
    assert "system.js" not in modules
    assert "audit.js" not in modules
    assert "messages.de.js" not in modules  # only the catalogue in use

    page.get_by_role("link", name="System settings").click()
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
    assert "system.js" in modules
    assert page.url.endswith("#/system/tokens")
    page.reload()
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("heading", name="E-Mail Gateway")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("heading", name="Users of Berlin HQ")).to_be_visible()


@pytest.mark.parametrize("language", ["en"])
def test_the_language_switch_is_kept(
    opened: tuple[Page, Offline], server: str, language: str
) -> None:
    page, _ = opened
    log_in(page, server, TEXTS["en"], *ADMIN)
    page.get_by_label("Language").select_option("de")
    expect(page.get_by_role("link", name="Benutzerverwaltung")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.reload()
    expect(page.get_by_role("link", name="Benutzerverwaltung")).to_be_visible()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()


@pytest.mark.parametrize("language", ["de"])
def test_a_location_s_settings_are_changed_and_checked_in_german(
    opened: tuple[Page, Offline], server: str, language: str
) -> None:
    page, _ = opened
    log_in(page, server, TEXTS["de"], *ADMIN)
    tree = page.get_by_role("navigation", name=TEXTS["de"]["tree"])
    tree.get_by_role("link", name="Munich", exact=True).click()
    page.get_by_role("link", name="Einstellungen", exact=True).click()
    page.get_by_label("Mindestlänge").fill("14")
    page.get_by_label("Standard-Beziehungsstufe").select_option("TEAM_COLLEAGUE")
    page.get_by_role("button", name="Eintrag hinzufügen").first.click()
    key, value = page.locator("[id^=client-key-]").last, page.locator("[id^=client-value-]").last
    key.fill("theme")
    value.fill("dark")  # no JSON: text goes in quotes
    expect(page.get_by_text("Kein JSON-Wert")).to_have_count(1)
    expect(page.get_by_role("button", name="Speichern")).to_be_disabled()
    value.fill('"dark"')
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Gespeichert.")).to_be_visible()
    both_sizes(page, "settings-de-location-saved")

    page.reload()
    expect(page.get_by_label("Mindestlänge")).to_have_value("14")
    expect(page.locator("[id^=client-value-]").last).to_have_value('"dark"')
    page.get_by_role("link", name="Benutzer", exact=True).click()
    page.get_by_role("link", name="Hans Schulz").click()
    expect(page.get_by_text("mindestens 14 Zeichen")).to_be_visible()
    expect(page.get_by_role("rowheader", name="theme")).to_be_visible()


@pytest.mark.parametrize("language", ["en"])
def test_a_user_is_found_everywhere_edited_moved_blocked_and_deleted(
    opened: tuple[Page, Offline], server: str, language: str
) -> None:
    page, _ = opened
    log_in(page, server, TEXTS["en"], *ADMIN)
    # A system administrator searches across every location.
    page.get_by_role("link", name="Search all locations").click()
    expect(page.get_by_role("heading", name="Users of all locations")).to_be_visible()
    page.get_by_label("Search users").fill("fischer")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("link", name="David Fischer").click()
    expect(page.get_by_role("heading", name="David Fischer")).to_be_visible()

    # The e-mail address a reset missed (EMAIL_MISSING), the VIP flag and a move.
    page.get_by_label("E-mail", exact=True).fill("david.fischer@example.com")
    page.get_by_label("VIP", exact=True).check()
    page.get_by_label("Location", exact=True).select_option(label="Munich")
    page.get_by_role("button", name="Save", exact=True).click()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("david.fischer@example.com")
    expect(facts).to_contain_text("Munich")
    both_sizes(page, "user-edited")

    page.get_by_role("button", name="Block user").click()
    expect(page.get_by_role("button", name="Unblock user")).to_be_visible()
    page.get_by_role("button", name="Delete user…").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Delete David Fischer for good?")
    screen(page, "user-delete-confirmation")
    confirm.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_role("heading", name="Users of Munich")).to_be_visible()
    page.get_by_label("Search users").fill("fischer")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No users match.")).to_be_visible()


@pytest.mark.parametrize("language", ["de"])
def test_a_user_is_created_in_a_group_in_german(
    opened: tuple[Page, Offline], server: str, language: str
) -> None:
    page, _ = opened
    log_in(page, server, TEXTS["de"], *MUNICH_ADMIN)
    tree = page.get_by_role("navigation", name=TEXTS["de"]["tree"])
    tree.locator("ul ul a").first.click()
    page.get_by_role("link", name="Neuer Benutzer").click()
    page.get_by_label("Anmeldename").fill("jana.neu")
    page.get_by_label("Vorname").fill("Jana")
    page.get_by_label("Nachname").fill("Neu")
    page.get_by_label("Telefon geschäftlich").fill("not a phone")
    page.get_by_role("button", name="Benutzer anlegen").click()
    expect(page.get_by_role("alert")).to_contain_text("Eine Telefonnummer hat nur Ziffern")
    page.get_by_label("Telefon geschäftlich").fill("+49 89 555")
    page.get_by_role("button", name="Benutzer anlegen").click()
    expect(page.get_by_role("heading", name="Jana Neu")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("+49 89 555")
    both_sizes(page, "user-created-de")


@pytest.mark.parametrize("language", ["en"])
def test_system_settings_manage_tokens_data_sources_and_administrators(
    opened: tuple[Page, Offline], server: str, language: str
) -> None:
    page, _ = opened
    log_in(page, server, TEXTS["en"], *ADMIN)
    page.goto(f"{server}/admin#/system/tokens")
    page.get_by_label("Name", exact=True).fill("partner")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("code.secret")
    expect(secret).to_contain_text("cat_")
    table = page.get_by_role("region", name="API tokens")
    expect(table.get_by_role("row", name="partner")).to_contain_text("never")
    assert secret.inner_text() not in table.inner_text()
    screen(page, "system-token-created")
    table.get_by_role("button", name="Revoke partner").click()
    expect(table.get_by_role("row", name="partner")).to_contain_text("revoked")

    page.get_by_role("link", name="Directory data sources").click()
    page.get_by_label("Name", exact=True).fill("Old LDAP")
    page.get_by_role("button", name="Create data source").click()
    sources = page.get_by_role("region", name="Directory data sources")
    expect(sources.get_by_role("row", name="Old LDAP")).to_contain_text("active")
    sources.get_by_role("button", name="Deactivate Old LDAP").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("No contact will be removed at the next contact-list repair.")
    confirm.get_by_role("button", name="Deactivate", exact=True).click()
    expect(sources.get_by_role("row", name="Old LDAP")).to_contain_text("deactivated")

    page.get_by_role("link", name="Administrators").click()
    page.locator("#na-login").fill("berlin-admin")
    page.locator("#na-lastName").fill("Berlin")
    page.locator("#na-password").fill("BerlinAdmin!2026x")
    page.get_by_label("Berlin HQ").check()
    page.get_by_role("button", name="Create", exact=True).click()
    admins = page.get_by_role("region", name="Administrators")
    row = admins.get_by_role("row", name="berlin-admin")
    expect(row).to_contain_text("sub-administrator for Berlin HQ")
    row.get_by_role("button", name="Block berlin-admin").click()
    expect(row).to_contain_text("blocked")
    row.get_by_role("button", name="Unblock berlin-admin").click()
    expect(row).to_contain_text("active")
    # One's own account has no such buttons (the API refuses OWN_ACCOUNT anyway).
    expect(admins.get_by_role("button", name="Block admin", exact=True)).to_have_count(0)
    row.get_by_role("button", name="Delete berlin-admin…").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete", exact=True).click()
    expect(admins.get_by_role("row", name="berlin-admin")).to_have_count(0)
    both_sizes(page, "system-administrators-managed")


@pytest.mark.parametrize("language", ["en"])
def test_system_settings_register_ping_switch_off_and_delete_a_webhook(
    opened: tuple[Page, Offline], server: str, language: str
) -> None:
    page, _ = opened
    log_in(page, server, TEXTS["en"], *ADMIN)
    page.goto(f"{server}/admin#/system/webhooks")
    page.get_by_label("URL").fill("http://127.0.0.1/hook")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Webhooks go over https")
    url = "https://hooks.partner.example/connect"
    page.get_by_label("URL").fill(url)
    page.get_by_label("Mail failed").check()
    page.get_by_role("button", name="Create", exact=True).click()
    secret = page.locator("code.secret")
    expect(secret).to_contain_text("whsec_")
    table = page.get_by_role("region", name="Webhooks")
    row = table.get_by_role("row", name=url)
    expect(row).to_contain_text("User reset, Mail failed")
    expect(row).to_contain_text("active")
    assert secret.inner_text() not in table.inner_text()
    row.get_by_role("button", name=f"Ping {url}").click()
    log = page.get_by_role("region", name=f"Deliveries to {url}")
    expect(log).to_contain_text("Ping")
    screen(page, "system-webhook-pinged")
    row.get_by_role("button", name=f"Switch off {url}").click()
    expect(row).to_contain_text("switched off")
    row.get_by_role("button", name=f"Delete {url}").click()
    expect(table.get_by_role("row", name=url)).to_have_count(0)


@pytest.mark.parametrize("language", ["en"])
def test_a_team_is_created_renamed_given_members_and_deleted(
    opened: tuple[Page, Offline], server: str, language: str
) -> None:
    page, _ = opened
    log_in(page, server, TEXTS["en"], *MUNICH_ADMIN)
    page.get_by_role("link", name="Teams", exact=True).click()
    expect(page.get_by_role("heading", name="Teams in Munich")).to_be_visible()
    new = page.get_by_role("region", name="New team")
    new.get_by_label("Find a member").fill("hans")
    new.get_by_role("button", name="Search").click()
    new.get_by_role("button", name="Add Hans Schulz").click()
    new.get_by_label("Team name").fill("Hotline")
    new.get_by_role("button", name="Create team").click()
    team = page.get_by_role("region", name="Hotline")
    expect(team).to_contain_text("Hans Schulz")
    team.get_by_label("Find a member").fill("")
    team.get_by_role("button", name="Search").click()
    team.locator(".found button").filter(has_not_text="Hans Schulz").first.click()
    expect(team.locator("ul").first.locator("li")).to_have_count(2)
    team.get_by_label("Team name").fill("Hotline 2")
    team.get_by_role("button", name="Rename").click()
    team = page.get_by_role("region", name="Hotline 2")
    team.get_by_label("Relationship level").select_option("ASSISTANT")
    expect(team.get_by_label("Relationship level")).to_have_value("ASSISTANT")
    both_sizes(page, "teams")
    team.get_by_role("button", name="Delete team Hotline 2…").click()
    team.get_by_role("alertdialog").get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_role("region", name="Hotline 2")).to_have_count(0)


@pytest.mark.parametrize("language", ["de"])
def test_locations_and_groups_are_created_and_deleted_in_german(
    opened: tuple[Page, Offline], server: str, language: str
) -> None:
    page, _ = opened
    log_in(page, server, TEXTS["de"], *ADMIN)
    page.get_by_label("Neuer Standort").fill("Hamburg")
    page.locator(".node-form").get_by_role("button", name="Anlegen").click()
    expect(page.get_by_role("heading", name="Benutzer von Hamburg")).to_be_visible()
    page.get_by_role("link", name="Einstellungen", exact=True).click()
    page.get_by_label("Neue Konfigurationsgruppe").fill("Vertrieb")
    page.get_by_role("button", name="Anlegen").last.click()
    tree = page.get_by_role("navigation", name=TEXTS["de"]["tree"])
    tree.get_by_role("link", name="Vertrieb").click()
    page.get_by_role("link", name="Einstellungen", exact=True).click()
    expect(page.locator(".settings")).to_contain_text("Standard")  # inherits the location's
    page.get_by_role("button", name="Konfigurationsgruppe Hamburg \u203a Vertrieb löschen…").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Löschen").click()
    expect(tree.get_by_role("link", name="Vertrieb")).to_have_count(0)

    tree.get_by_role("link", name="Munich", exact=True).click()
    page.get_by_role("link", name="Einstellungen", exact=True).click()
    page.get_by_role("button", name="Standort Munich löschen…").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Löschen").click()
    expect(page.get_by_role("alert")).to_contain_text("Dem Standort gehören noch Benutzer")
    tree.get_by_role("link", name="Hamburg").click()
    page.get_by_role("link", name="Einstellungen", exact=True).click()
    page.get_by_role("button", name="Standort Hamburg löschen…").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Löschen").click()
    expect(tree.get_by_role("link", name="Hamburg")).to_have_count(0)


@pytest.mark.parametrize("language", ["de"])
def test_a_group_s_settings_are_default_or_individual_in_german(
    opened: tuple[Page, Offline], server: str, language: str
) -> None:
    page, _ = opened
    log_in(page, server, TEXTS["de"], *MUNICH_ADMIN)
    tree = page.get_by_role("navigation", name=TEXTS["de"]["tree"])
    tree.locator("ul ul a").first.click()
    page.get_by_role("link", name="Einstellungen", exact=True).click()
    client = page.get_by_role("group", name="Connect Client-Standardwerte").first
    client.get_by_label("Individuell").check()
    client.get_by_role("button", name="Eintrag hinzufügen").click()
    client.locator("[id^=client-key-]").last.fill("hotkey")
    client.locator("[id^=client-value-]").last.fill('"F9"')
    level = page.get_by_role("group", name="Standard-Beziehungsstufe")
    level.get_by_label("Individuell").check()
    level.get_by_label("Standard-Beziehungsstufe").select_option("ASSISTANT")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Gespeichert.")).to_be_visible()
    both_sizes(page, "settings-de-group-individual")
    page.reload()
    expect(
        page.get_by_role("group", name="Standard-Beziehungsstufe").get_by_label("Individuell")
    ).to_be_checked()
    expect(page.locator("[id^=client-key-]").last).to_have_value("hotkey")
    # Back to Default: the location's values are shown again, and stored so.
    page.get_by_role("group", name="Standard-Beziehungsstufe").get_by_label(
        "Standard", exact=True
    ).check()
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Gespeichert.")).to_be_visible()
    page.reload()
    expect(
        page.get_by_role("group", name="Standard-Beziehungsstufe").get_by_label(
            "Standard", exact=True
        )
    ).to_be_checked()

"""The manual's whole workflow through the Web Administration, in German, from an empty
installation (only ``connect-admin create-admin``): a location with a password policy and
a default relationship, a configuration group with an individual Connect Client setting,
users (one VIP, one without e-mail whose address is then added), a team, a directory data
source, the gateway; a reset with all six options, its mails read from the SMTP sink, the
undo from the change log; then a sub-administrator, who sees and changes only its
location, does the same for a user of it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.web_admin import (
    LOCAL_HOST,
    NEEDS_CHROMIUM_AND_AXE,
    SIZES,
    offline_page,
    screen,
    serving,
)
from tests.smtp_server import SmtpServer

pytestmark = NEEDS_CHROMIUM_AND_AXE
ROOT_ADMIN = ("root", "Systemverwalter!2026")
SUB_ADMIN = ("hh-admin", "Hamburg-Admin!2026")
SUB_ADMIN_OWN = "Eigenes-Kennwort-2026"
Data = dict[str, dict[str, object]]


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    create_admin = ["create-admin", "--login", ROOT_ADMIN[0], "--last-name", "Root",
                    "--password-stdin"]  # fmt: skip
    with serving(
        tmp_path_factory.mktemp("empty"), ["migrate"], create_admin, stdin=f"{ROOT_ADMIN[1]}\n"
    ) as url:
        yield url


@pytest.fixture
def german(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    with offline_page(browser, request, viewport=SIZES["wide"], locale="de-DE") as (page, _):
        yield page


def sign_in(page: Page, server: str, login: str, password: str) -> None:
    page.goto(f"{server}/admin")
    page.get_by_label("Anmeldename").fill(login)
    page.get_by_label("Kennwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()


def tree(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Standorte und Konfigurationsgruppen").get_by_role(
        "link", name=name, exact=True
    ).click()


def new_user(page: Page, login: str, first: str, last: str, email: str = "") -> None:
    page.get_by_role("link", name="Neuer Benutzer").click()
    page.get_by_label("Anmeldename").fill(login)
    page.get_by_label("Vorname").fill(first)
    page.get_by_label("Nachname").fill(last)
    if email:
        page.get_by_label("E-Mail").fill(email)
    page.get_by_role("button", name="Benutzer anlegen").click()
    expect(page.get_by_role("heading", name=f"{first} {last}")).to_be_visible()


def connect_client_sets_own_setting(server: str, login: str, password: str) -> None:
    def call(
        query: str, token: str | None = None, **variables: str
    ) -> dict[str, dict[str, object]]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = httpx.post(f"{server}/graphql", json={"query": query, "variables": variables},
                          headers=headers, timeout=30).json()  # fmt: skip
        assert "errors" not in body, body
        data: Data = body["data"]
        return data

    sign_in_user = (
        "mutation($l: String!, $p: String!) { userSignIn(login: $l, password: $p) { token } }"
    )
    token = str(call(sign_in_user, l=login, p=password)["userSignIn"]["token"])
    changed = call(
        "mutation($c: String!, $n: String!) { changeMyPassword(currentPassword: $c, "
        "newPassword: $n) { ok } }", token, c=password, n=password + "!",
    )  # fmt: skip
    assert changed["changeMyPassword"]["ok"] is True
    own = call('mutation { setMyClientSetting(key: "theme", value: "light") { ok } }', token)
    assert own["setMyClientSetting"]["ok"] is True


def reset_all_and_undo(page: Page, location: str, count: int) -> None:
    page.get_by_role("link", name="Benutzerverwaltung").click()
    tree(page, location)
    page.get_by_role("checkbox", name="Alle Benutzer dieser Seite auswählen").check()
    page.get_by_role("button", name="Weitere…").click()
    menu = page.get_by_role("menu", name="Weitere…")
    item = "Für Mehrfachauswahl zurücksetzen…" if count > 1 else "Benutzer zurücksetzen…"
    menu.get_by_role("menuitem", name=item).click()
    for option in ("Zufälliges Kennwort setzen", "Zufällige Voicemail-PIN setzen",
                   "Beziehungen zurücksetzen", "Connect Client-Einstellungen zurücksetzen",
                   "Präsenzeinstellungen zurücksetzen", "Kontaktliste reparieren"):  # fmt: skip
        page.get_by_label(option).check()
    page.get_by_role("button", name="Zuerst prüfen (Probelauf)").click()
    expect(page.get_by_role("region", name="Probelauf je Benutzer")).to_be_visible()
    page.get_by_role("button", name="Zurücksetzen", exact=True).click()
    expect(page.get_by_role("heading", name="Zurücksetzung abgeschlossen")).to_be_visible()
    screen(page, f"workflow-{location}-reset")

    page.get_by_role("link", name="Änderungsprotokoll").click()
    entry = page.locator("tbody tr").filter(has_text="zurückgesetzt").first
    if count > 1:
        entry.locator("summary").click()
    entry.get_by_role("button", name=re.compile(r"^Rückgängig \(bis ")).click()
    expect(entry.get_by_text("Die Zurücksetzung ist rückgängig gemacht.")).to_be_visible()
    screen(page, f"workflow-{location}-undone")


def test_the_manual_s_workflow_in_german_from_an_empty_installation(
    german: Page, empty_server: str, sink: SmtpServer
) -> None:
    page, server = german, empty_server
    sign_in(page, server, *ROOT_ADMIN)
    expect(page.get_by_text("Für Sie ist kein Standort sichtbar.")).to_be_visible()

    # A location with a password policy and a default relationship.
    page.get_by_label("Neuer Standort").fill("Hamburg")
    page.locator(".node-form").get_by_role("button", name="Anlegen").click()
    expect(page.get_by_role("heading", name="Benutzer von Hamburg")).to_be_visible()
    page.get_by_role("link", name="Einstellungen", exact=True).click()
    page.get_by_label("Mindestlänge").fill("14")
    page.get_by_label("Standard-Beziehungsstufe").select_option("TEAM_COLLEAGUE")
    page.get_by_role("button", name="Speichern").first.click()
    expect(page.get_by_text("Gespeichert.")).to_be_visible()

    # A configuration group with an individual Connect Client setting.
    page.get_by_label("Neue Konfigurationsgruppe").fill("Vertrieb")
    page.get_by_role("button", name="Anlegen").last.click()
    tree(page, "Vertrieb")
    page.get_by_role("link", name="Einstellungen", exact=True).click()
    client = page.get_by_role("group", name="Connect Client-Standardwerte").first
    client.get_by_label("Individuell").check()
    client.get_by_role("button", name="Eintrag hinzufügen").click()
    client.locator("[id^=client-key-]").last.fill("theme")
    client.locator("[id^=client-value-]").last.fill('"dark"')
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Gespeichert.")).to_be_visible()

    # Users: one VIP, one without e-mail whose address is then added.
    page.get_by_role("link", name="Benutzer", exact=True).click()
    new_user(page, "vera.vip", "Vera", "Vip", "vera@example.com")
    page.get_by_label("VIP", exact=True).check()
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page.locator("dl.facts")).to_contain_text("ja")
    page.get_by_role("link", name="Benutzerverwaltung").click()
    tree(page, "Vertrieb")
    new_user(page, "otto.ohne", "Otto", "Ohne")
    expect(page.locator("dl.facts")).to_contain_text("keine")
    page.get_by_label("E-Mail", exact=True).fill("otto@example.com")
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page.locator("dl.facts")).to_contain_text("otto@example.com")
    expect(page.get_by_role("rowheader", name="theme")).to_be_visible()  # the group's
    # Otto's password by hand; then Otto, in the Connect Client (the same API), changes it
    # and sets a Connect Client setting of his own, which the reset will take back.
    page.get_by_label("Neues Kennwort").fill("Otto-Passw0rd!2026x")
    page.get_by_role("button", name="Kennwort setzen").click()
    expect(page.get_by_text("Das Kennwort ist gesetzt.")).to_be_visible()
    connect_client_sets_own_setting(server, "otto.ohne", "Otto-Passw0rd!2026x")

    # A team, a directory data source, the gateway.
    page.get_by_role("link", name="Benutzerverwaltung").click()
    tree(page, "Hamburg")
    page.get_by_role("link", name="Teams", exact=True).click()
    new = page.get_by_role("region", name="Neues Team")
    new.get_by_label("Mitglied suchen").fill("otto")
    new.get_by_role("button", name="Suchen").click()
    new.get_by_role("button", name="Otto Ohne hinzufügen").click()
    new.get_by_label("Teamname").fill("Hotline")
    new.get_by_role("button", name="Team anlegen").click()
    expect(page.get_by_role("region", name="Hotline")).to_contain_text("Otto Ohne")
    page.get_by_role("link", name="Systemeinstellungen").click()
    page.get_by_role("link", name="Verzeichnisdatenquellen").click()
    page.get_by_label("Name", exact=True).fill("LDAP")
    page.get_by_role("button", name="Datenquelle anlegen").click()
    expect(page.get_by_role("row", name="LDAP")).to_contain_text("aktiv")
    page.get_by_role("link", name="E-Mail-Gateway").click()
    page.get_by_label("SMTP-Server").fill(LOCAL_HOST)
    page.get_by_label("Port").fill(str(sink.port))
    page.get_by_label("Sicherheit").select_option("NONE")
    page.get_by_label("Absenderadresse").fill("connect@example.com")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Das Gateway ist gespeichert.")).to_be_visible()

    # The reset with all six options; the passwords reach the sink; undo from the log.
    before = len(sink.received)
    reset_all_and_undo(page, "Hamburg", 2)
    received = sink.wait_for(before + 2)
    recipients = sorted(r for m in received[before:] for r in m.rcpt_tos)
    assert recipients == ["otto@example.com", "vera@example.com"]

    # A sub-administrator for Hamburg: sees and changes only its location.
    page.get_by_role("link", name="Systemeinstellungen").click()
    page.get_by_role("link", name="Administratoren").click()
    page.locator("#na-login").fill(SUB_ADMIN[0])
    page.locator("#na-lastName").fill("Hamburg")
    page.locator("#na-password").fill(SUB_ADMIN[1])
    page.get_by_label("Hamburg").check()
    page.get_by_role("button", name="Anlegen", exact=True).click()
    expect(page.get_by_role("row", name=SUB_ADMIN[0])).to_contain_text("Subadministrator")
    page.get_by_label("Neuer Standort").count()  # the form is on User management only
    page.get_by_role("link", name="Benutzerverwaltung").click()
    page.get_by_label("Neuer Standort").fill("Köln")
    page.locator(".node-form").get_by_role("button", name="Anlegen").click()
    expect(page.get_by_role("heading", name="Benutzer von Köln")).to_be_visible()
    page.get_by_role("button", name="Abmelden").click()

    # The password another administrator chose is temporary: an own one first, in German.
    page.get_by_label("Anmeldename").fill(SUB_ADMIN[0])
    page.get_by_label("Kennwort").fill(SUB_ADMIN[1])
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Eigenes Kennwort wählen")).to_be_visible()
    page.get_by_label("Neues Kennwort", exact=True).fill(SUB_ADMIN_OWN)
    page.get_by_label("Neues Kennwort wiederholen").fill(SUB_ADMIN_OWN)
    screen(page, "workflow-sub-own-password")
    page.get_by_role("button", name="Kennwort ändern und fortfahren").click()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
    scopes = page.get_by_role("navigation", name="Standorte und Konfigurationsgruppen")
    expect(scopes.get_by_role("link", name="Hamburg", exact=True)).to_be_visible()
    expect(scopes.get_by_role("link", name="Köln")).to_have_count(0)
    expect(page.get_by_label("Neuer Standort")).to_have_count(0)
    expect(page.get_by_role("link", name="In allen Standorten suchen")).to_have_count(0)
    new_user(page, "ida.koch", "Ida", "Koch", "ida@example.com")
    screen(page, "workflow-sub-user")
    page.get_by_role("link", name="Systemeinstellungen").click()
    expect(page.get_by_role("link", name="E-Mail-Gateway")).to_have_count(0)
    before = len(sink.received)
    reset_all_and_undo(page, "Hamburg", 3)
    received = sink.wait_for(before + 3)
    assert "ida@example.com" in {r for m in received[before:] for r in m.rcpt_tos}

"""What the Web Administration's browser tests share: where Chromium and axe-core are,
the demo organisation's sign-ins, a served ``connect-admin``, a page that reaches only
127.0.0.1, and the helpers that sign in and screenshot (their fixtures: conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Route, expect

from tests.cli.serving import free_port, served
from tests.needed import needs

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "web-admin"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LOCAL_HOST = "127.0.0.1"
TIMEOUT_MS = 30_000
SIZES = {"wide": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# The demo organisation's sign-ins (server/commandline/demo_data.py; README.md, "Signing in").
ADMIN = ("admin", "ConnectAdmin!2026")
MUNICH_ADMIN = ("munich-admin", "MunichAdmin!2026")

# Each module's pytestmark: without Chromium or axe-core its tests are skipped.
NEEDS_CHROMIUM_AND_AXE = [
    needs(CHROMIUM.exists(), f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"),
    needs(AXE.is_file(), f"no {AXE}: run `npm ci`"),
]


@contextmanager
def serving(
    folder: Path, *setup: list[str], stdin: str | None = None, public_url: bool = False
) -> Iterator[str]:
    """``connect-admin serve`` on a free port of 127.0.0.1 with a SQLite database in
    ``folder``, after the ``setup`` commands (``stdin`` their input); with ``public_url``
    its own address is its public URL. Yields its base URL."""
    port = free_port()
    url = f"http://{LOCAL_HOST}:{port}"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}
    environment.update(
        CONNECT_DATABASE_URL=f"sqlite:///{folder / 'connect-admin.db'}",
        CONNECT_WEB_ASSETS=str(ROOT / "node_modules"),
    )
    if public_url:
        environment["CONNECT_PUBLIC_URL"] = url
    command = [sys.executable, "-m", "connect_admin"]
    for arguments in setup:
        subprocess.run(
            [*command, *arguments], cwd=folder, env=environment, check=True,
            capture_output=True, input=stdin, text=stdin is not None,
        )  # fmt: skip
    serve = [*command, "serve", "--host", LOCAL_HOST, "--port", str(port)]
    with served(serve, folder, environment) as started:
        started.wait_until_started()
        yield url


@dataclass
class Offline:
    """What the page asked for while only 127.0.0.1 was reachable, and what went wrong."""

    outside: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def only_local(self, route: Route, request: Request) -> None:
        if urlsplit(request.url).hostname == LOCAL_HOST:
            route.continue_()
        else:
            self.outside.append(request.url)
            route.abort("internetdisconnected")

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console: {message.text}")


@contextmanager
def offline_page(
    browser: Browser, request: pytest.FixtureRequest, **context: Any
) -> Iterator[tuple[Page, Offline]]:
    """A page (``context``: the browser context's options) with the network closed except
    127.0.0.1; at the end nothing went elsewhere and no error was logged, and the screen
    is kept as ``<test>-failed.png`` when the test fails."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    offline = Offline()
    opened = browser.new_context(**context)
    page = opened.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.route("**/*", offline.only_local)
    page.on("console", offline.console)
    page.on("pageerror", lambda error: offline.problems.append(f"page error: {error}"))
    try:
        yield page, offline
        assert offline.outside == []
        assert offline.problems == []
    except BaseException:
        page.screenshot(path=str(OUTPUT / f"{request.node.name}-failed.png"), full_page=True)
        raise
    finally:
        opened.close()


def screen(page: Page, name: str) -> None:
    """Screenshot of the screen, after axe-core found no serious or critical violation."""
    if not page.evaluate("() => 'axe' in window"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(" | ")}`)"""
    )
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)
    assert violations == [], name


def sign_in(page: Page, server: str, login: str, password: str) -> None:
    response = page.goto(f"{server}/admin")
    assert response is not None
    assert response.status == 200, page.content()
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def users_of(page: Page, scope: str) -> None:
    page.get_by_role("navigation", name="Locations and configuration groups").get_by_role(
        "link", name=scope, exact=True
    ).click()
    expect(page.get_by_role("heading", name=f"Users of {scope}")).to_be_visible()

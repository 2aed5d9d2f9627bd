"""The browser tests' fixtures: an SMTP sink, the demo organisation served, one headless
Chromium and its offline pages. Module-scoped ones start once for each test module that
uses them; a module that needs another server defines its own ``server``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.web_admin import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SIZES,
    Offline,
    offline_page,
    serving,
)
from tests.smtp_server import SmtpServer


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``connect-admin serve`` with the demo data; yields its base URL."""
    with serving(tmp_path_factory.mktemp("web-admin"), ["demo-data"]) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page at 1280x800 with the network closed except 127.0.0.1."""
    with offline_page(browser, request, viewport=SIZES["wide"]) as (opened, _):
        yield opened


@pytest.fixture
def opened(browser: Browser, request: pytest.FixtureRequest) -> Iterator[tuple[Page, Offline]]:
    """A page whose browser speaks the test's language (``language`` parameter)."""
    language = request.node.callspec.params.get("language", "en")
    locale = {"de": "de-DE", "en": "en-US"}[language]
    with offline_page(browser, request, viewport=SIZES["wide"], locale=locale) as found:
        yield found

"""GraphiQL in a real browser without the internet.

The real server (``connect-admin serve``: uvicorn on 127.0.0.1, a free port, a
throwaway SQLite database) and Debian's Chromium, headless, driven by Playwright.
Every request the page makes to a host other than 127.0.0.1 is aborted and
recorded; the test asserts there were none. It signs in over HTTP, enters the
token in GraphiQL's headers editor, runs a query, reads the result pane, and
saves a screenshot to ``test-output/browser/graphiql.png`` at the repository
root (``graphiql-failed.png`` when it fails).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import (
    ConsoleMessage,
    Locator,
    Page,
    Request,
    Route,
    WebSocket,
    expect,
    sync_playwright,
)

from domain.principals import SYSTEM
from domain.services import locations, users
from domain.services.administrators import NewAdministrator
from persistence.database import create_engine
from persistence.migrate import upgrade
from server.container import build_services
from server.settings import Settings
from server.ui.graphiql import GRAPHIQL_JS
from tests.needed import needs

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "browser"
LOCAL_HOST = "127.0.0.1"
ADMIN_LOGIN = "admin"
ADMIN_PASSWORD = "Browser-Root!2026"
TIMEOUT_MS = 30_000

NODE_MODULES = ROOT / "node_modules"

pytestmark = [
    needs(CHROMIUM.exists(), f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"),
    # GraphiQL's files, which the server serves from there.
    needs((NODE_MODULES / "graphiql").is_dir(), f"no {NODE_MODULES}: run `npm ci`"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOCAL_HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def make_database(db: Path) -> None:
    """A migrated SQLite database with a system administrator and one user, made by the
    domain services."""
    url = f"sqlite:///{db}"
    upgrade(url)

    async def create() -> None:
        engine = create_engine(url)
        try:
            services = build_services(engine, Settings(database_url=url))  # type: ignore[call-arg]
            await services.administrators.create_administrator(
                SYSTEM,
                NewAdministrator(
                    login=ADMIN_LOGIN, password=ADMIN_PASSWORD, last_name="Administrator"
                ),
            )
            location = await services.locations.create_location(
                SYSTEM, locations.NewLocation(name="Munich")
            )
            await services.users.create_user(
                SYSTEM,
                users.NewUser(login="bernd.mueller", last_name="Müller", location_id=location.id),
            )
        finally:
            await engine.dispose()

    asyncio.run(create())


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """``connect-admin serve`` on a free port of 127.0.0.1; yields its base URL."""
    db = tmp_path / "connect-admin.db"
    make_database(db)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}
    env.update(
        CONNECT_DATABASE_URL=f"sqlite:///{db}",
        CONNECT_MAIL_DISPATCHER="false",
        CONNECT_WEB_ASSETS=str(ROOT / "node_modules"),
    )
    log = tmp_path / "server.log"
    with log.open("w", encoding="utf-8") as output:
        proc = subprocess.Popen(
            [sys.executable, "-m", "connect_admin", "serve", "--host", LOCAL_HOST,
             "--port", str(port)],
            cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=output,
        )  # fmt: skip
    base = f"http://{LOCAL_HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text(encoding="utf-8")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(30)


def post(
    base: str, query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> dict[str, Any]:
    """The data of a GraphQL request over HTTP that must succeed."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables or {}},
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def sign_in(base: str) -> str:
    data = post(
        base,
        "mutation($l: String!, $p: String!) "
        "{ adminSignIn(login: $l, password: $p) { token errors { code } } }",
        {"l": ADMIN_LOGIN, "p": ADMIN_PASSWORD},
    )
    token: str = data["adminSignIn"]["token"]
    assert token, data
    return token


def user_id(base: str, token: str) -> str:
    data = post(base, "{ users { edges { node { id } } } }", token=token)
    [edge] = data["users"]["edges"]
    node_id: str = edge["node"]["id"]
    return node_id


def replace_text(page: Page, editor_selector: str, text: str) -> None:
    """Types into a GraphiQL editor like a user: click, select all, enter the text."""
    page.locator(f"{editor_selector} .CodeMirror").filter(visible=True).click()
    page.keyboard.press("Control+A")
    # insert_text: one input event, so the editor's bracket auto-closing stays out of it.
    page.keyboard.insert_text(text)


@dataclass
class Offline:
    """What the page asked for while only 127.0.0.1 was reachable."""

    outside: list[str] = field(default_factory=list)  # requests elsewhere, all aborted
    requested: list[str] = field(default_factory=list)  # every request and websocket
    websockets: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # console and page errors (CSP too)

    def only_local(self, route: Route, request: Request) -> None:
        if urlsplit(request.url).hostname == LOCAL_HOST:
            route.continue_()
        else:
            self.outside.append(request.url)
            route.abort("internetdisconnected")

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console: {message.text}")

    def websocket(self, socket: WebSocket) -> None:
        self.requested.append(socket.url)
        self.websockets.append(socket.url)

    def assert_only_local(self) -> None:
        assert self.outside == []
        hosts = {urlsplit(url).hostname for url in self.requested if not url.startswith("data:")}
        assert hosts == {LOCAL_HOST}, self.requested
        assert any(GRAPHIQL_JS.url in url for url in self.requested)
        assert self.problems == []


@contextmanager
def graphiql(server: str, token: str, screenshot: str) -> Iterator[tuple[Page, Offline]]:
    """GraphiQL in headless Chromium with the network closed except 127.0.0.1, the token
    entered in its headers editor. Screenshots the page at the end of the block (as
    ``<screenshot>-failed.png`` when the block fails)."""
    offline = Offline()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.route("**/*", offline.only_local)
            page.on("request", lambda request: offline.requested.append(request.url))
            page.on("websocket", offline.websocket)
            page.on("console", offline.console)
            page.on("pageerror", lambda error: offline.problems.append(f"page error: {error}"))
            try:
                response = page.goto(f"{server}/graphql", wait_until="load")
                assert response is not None
                # 503: GraphiQL's files are not installed (`npm ci`); the page says so.
                assert response.status == 200, page.content()
                csp = response.headers["content-security-policy"]
                assert "script-src 'self' 'nonce-" in csp

                expect(page.locator(".graphiql-query-editor .CodeMirror")).to_be_visible()
                # The explorer plugin is there (its button in the sidebar).
                expect(page.get_by_role("button", name="Show GraphiQL Explorer")).to_be_visible()
                page.get_by_role("button", name="Headers").click()
                replace_text(
                    page, ".graphiql-editor-tool", f'{{\n"Authorization": "Bearer {token}"\n}}'
                )
                yield page, offline
                page.screenshot(path=str(OUTPUT / f"{screenshot}.png"))
            except BaseException:
                page.screenshot(path=str(OUTPUT / f"{screenshot}-failed.png"))
                raise
        finally:
            browser.close()


def run(page: Page, query: str) -> Locator:
    """Enters the query, runs it, and answers the result pane."""
    replace_text(page, ".graphiql-query-editor", query)
    # GraphiQL parses the query a moment later (debounced), then the page puts it in the
    # URL; until then it would run the old one, and would not see a subscription as one.
    page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("q") == [query])
    page.locator(".graphiql-execute-button").click()
    return page.locator(".graphiql-response")


def test_graphiql_runs_a_query_with_a_token_header_without_the_internet(server: str) -> None:
    token = sign_in(server)

    with graphiql(server, token, "graphiql") as (page, offline):
        result = run(page, "{ users { totalCount } }")
        expect(result).to_contain_text('"totalCount": 1')
        expect(result).not_to_contain_text("UNAUTHENTICATED")

    offline.assert_only_local()


def test_graphiql_subscribes_over_a_websocket_on_the_same_path(server: str) -> None:
    token = sign_in(server)
    # A finished resetUsers run: its progress subscription answers the final state at once.
    reset = post(
        server,
        "mutation($ids: [ID!]!) { resetUsers(ids: $ids, options: {resetClientSettings: true}, "
        'operationId: "browser-1") { succeeded } }',
        {"ids": [user_id(server, token)]},
        token,
    )
    assert reset == {"resetUsers": {"succeeded": 1}}

    with graphiql(server, token, "graphiql-subscription") as (page, offline):
        result = run(
            page,
            'subscription { resetProgress(operationId: "browser-1") { done finished } }',
        )
        expect(result).to_contain_text('"finished": true')

    ws = server.replace("http://", "ws://", 1) + "/graphql"
    assert offline.websockets == [ws]
    offline.assert_only_local()


def test_graphiql_s_explorer_lists_the_schema_s_fields(server: str) -> None:
    token = sign_in(server)

    with graphiql(server, token, "graphiql-explorer") as (page, offline):
        # A new tab: no operation yet, so the explorer shows the Query type's fields
        # (the example tabs' operations unfold theirs).
        page.get_by_role("button", name="Add tab").click()
        page.get_by_role("button", name="Show GraphiQL Explorer").click()
        plugin = page.locator(".graphiql-plugin")
        # The explorer read the schema through introspection and shows the root fields.
        expect(plugin.get_by_text("users", exact=True)).to_be_visible()
        expect(plugin.get_by_text("locations", exact=True)).to_be_visible()

    offline.assert_only_local()


def test_graphiql_opens_with_the_example_tabs_and_they_run(server: str) -> None:
    token = sign_in(server)

    with graphiql(server, token, "graphiql-examples") as (page, offline):
        tabs = page.get_by_role("tab")
        titles = page.locator(".graphiql-tab-button")
        expect(titles).to_have_text(["SignIn", "UsersPage", "ResetUsers", "ResetProgress"])
        expect(page.locator(".graphiql-query-editor")).to_contain_text("adminSignIn")

        tabs.filter(has_text="UsersPage").click()
        expect(page.locator(".graphiql-query-editor")).to_contain_text("query UsersPage")
        # The tab's own headers hold the placeholder until the token is pasted in.
        expect(page.locator(".graphiql-editor-tool")).to_contain_text("Bearer cas_…")
        replace_text(page, ".graphiql-editor-tool", f'{{"Authorization": "Bearer {token}"}}')
        page.locator(".graphiql-execute-button").click()
        expect(page.locator(".graphiql-response")).to_contain_text('"totalCount": 1')

    offline.assert_only_local()


def test_graphiql_s_docs_describe_reset_users(server: str) -> None:
    """Partners learn the API from the documentation pane: resetUsers says what it does,
    and each argument what it means. Screenshot: graphiql-docs-resetUsers.png."""
    token = sign_in(server)

    with graphiql(server, token, "graphiql-docs-resetUsers") as (page, offline):
        page.set_viewport_size({"width": 1400, "height": 1300})
        page.get_by_role("button", name="Show Documentation Explorer").click()
        docs = page.locator(".graphiql-plugin")
        # Wide enough to read: the pane's drag bar moved to the right.
        bar = page.locator(".graphiql-horizontal-drag-bar").first.bounding_box()
        assert bar is not None
        page.mouse.move(bar["x"] + 2, bar["y"] + 200)
        page.mouse.down()
        page.mouse.move(bar["x"] + 400, bar["y"] + 200, steps=10)
        page.mouse.up()
        docs.get_by_text("Mutation", exact=True).click()
        docs.get_by_text("resetUsers", exact=True).click()
        expect(docs.locator(".graphiql-doc-explorer-title")).to_have_text("resetUsers")
        expect(docs).to_contain_text("Each user is handled on its own")
        expect(docs).to_contain_text("USER_NOT_FOUND")
        # The arguments, each with its description.
        expect(docs).to_contain_text("At most 10,000 distinct IDs (TOO_MANY_USERS).")
        expect(docs).to_contain_text("Nothing is stored, sent or locked")
        docs.locator(".graphiql-doc-explorer-title").scroll_into_view_if_needed()

    offline.assert_only_local()

"""GraphiQL's page and files through HTTP: everything from this server, nothing from a CDN."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx
import pytest

from server.http.app import create_app
from server.settings import Settings
from server.ui.graphiql import (
    ASSETS,
    ASSETS_PATH,
    GRAPHIQL_JS,
    REACT,
    GraphiQLAssets,
    default_node_modules,
)
from server.ui.web_assets import GRAPHIQL_FILES
from tests.needed import needs

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
HTML = {"Accept": "text/html"}

Client = Callable[[Path], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def client(tmp_path: Path) -> Client:
    @asynccontextmanager
    async def open_client(web_assets: Path) -> AsyncIterator[httpx.AsyncClient]:
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'connect-admin.db'}",
            secret_key="test-key",  # type: ignore[arg-type]
            mail_dispatcher=False,
            web_assets=web_assets,
        )
        app = create_app(settings)
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
        ):
            yield http

    return open_client


needs_node_modules = needs((NODE_MODULES / "graphiql").is_dir(), f"no {NODE_MODULES}: run `npm ci`")


def test_the_pinned_files_are_the_versions_of_package_json() -> None:
    pinned = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]
    for asset in ASSETS.values():
        assert pinned[asset.package] == asset.version, asset


@needs_node_modules
async def test_the_page_loads_everything_from_this_server(client: Client) -> None:
    async with client(NODE_MODULES) as http:
        response = await http.get("/graphql", headers=HTML)

    assert response.status_code == 200
    page = response.text
    assert "unpkg" not in page
    # Every script and stylesheet is ours, with its pinned integrity; the icon is a data: URL.
    sources = re.findall(r'<(?:script|link)[^>]*\b(?:src|href)="([^"]+)"', page)
    loaded = [source for source in sources if not source.startswith("data:")]
    assert sorted(loaded) == sorted(asset.url for asset in GRAPHIQL_FILES)
    for asset in GRAPHIQL_FILES:
        assert f'"{asset.url}" integrity="{asset.integrity}"' in page

    csp = response.headers["content-security-policy"]
    [nonce] = re.findall(r"<script nonce=\"([^\"]+)\">", page)
    assert f"script-src 'self' 'nonce-{nonce}';" in csp
    assert "default-src 'none'" in csp
    assert "connect-src 'self'" in csp
    assert "https:" not in csp
    assert "*" not in csp


@needs_node_modules
async def test_each_request_gets_its_own_nonce(client: Client) -> None:
    async with client(NODE_MODULES) as http:
        first = (await http.get("/graphql", headers=HTML)).headers["content-security-policy"]
        second = (await http.get("/graphql", headers=HTML)).headers["content-security-policy"]
    assert first != second


@needs_node_modules
async def test_the_pinned_files_are_served(client: Client) -> None:
    async with client(NODE_MODULES) as http:
        for asset in ASSETS.values():
            response = await http.get(asset.url)
            assert response.status_code == 200, asset
            assert response.content == asset.source(NODE_MODULES).read_bytes()
            assert response.headers["content-type"] == asset.media_type
            assert response.headers["x-content-type-options"] == "nosniff"


@needs_node_modules
@pytest.mark.parametrize(
    "path",
    [
        "react@18.2.0/package.json",
        "react@18.2.0/umd/react.development.js",
        "react@18.1.0/umd/react.production.min.js",
        "graphiql@3.8.3/graphiql.min.js.map",
        "graphiql@3.8.3/../../pyproject.toml",
        "%2e%2e/%2e%2e/pyproject.toml",
        "",
    ],
)
async def test_nothing_else_is_served(client: Client, path: str) -> None:
    async with client(NODE_MODULES) as http:
        response = await http.get(f"{ASSETS_PATH}/{path}")
    assert response.status_code == 404


async def test_without_the_files_the_page_says_how_to_install_them(
    client: Client, tmp_path: Path
) -> None:
    async with client(tmp_path / "nowhere") as http:
        page = await http.get("/graphql", headers=HTML)
        asset = await http.get(REACT.url)
        api = await http.post("/graphql", json={"query": "{ __typename }"})

    assert page.status_code == 503
    assert "npm ci" in page.text
    assert "CONNECT_WEB_ASSETS" in page.text
    assert "<script" not in page.text
    assert "unpkg" not in page.text
    assert "script-src" not in page.headers["content-security-policy"]
    assert asset.status_code == 404
    assert "npm ci" in asset.text
    assert api.json()["data"] == {"__typename": "Query"}


@needs_node_modules
async def test_a_file_that_is_not_the_pinned_one_is_refused(client: Client, tmp_path: Path) -> None:
    copy = tmp_path / "node_modules"
    for asset in ASSETS.values():
        target = asset.source(copy)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(asset.source(NODE_MODULES), target)
    GRAPHIQL_JS.source(copy).write_text("alert('not graphiql')", encoding="utf-8")

    async with client(copy) as http:
        page = await http.get("/graphql", headers=HTML)
        changed = await http.get(GRAPHIQL_JS.url)
        unchanged = await http.get(REACT.url)

    assert page.status_code == 503
    assert "graphiql: graphiql.min.js is not the one of version 3.8.3" in page.text
    assert changed.status_code == 404
    assert unchanged.status_code == 200


def test_connect_web_assets_names_the_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONNECT_WEB_ASSETS", "web/node_modules")
    settings = Settings(database_url="sqlite://")  # type: ignore[call-arg]
    assert GraphiQLAssets(settings.web_assets).node_modules == tmp_path / "web" / "node_modules"


def test_by_default_the_working_folder_s_node_modules_comes_first(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "node_modules").mkdir()
    assert default_node_modules() == tmp_path / "node_modules"


@needs_node_modules
def test_by_default_without_one_here_the_checkout_s_is_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert default_node_modules() == NODE_MODULES

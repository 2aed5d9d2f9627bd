"""The Web Administration's page and files (server/ui/web_admin.py), without a browser."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import httpx
import pytest
from graphql import parse, validate
from starlette.applications import Starlette

from gql.limits import Limits
from gql.schema import build_schema
from server.ui.graphiql import GraphiQLAssets
from server.ui.web_admin import APP_FOLDER, LIBRARIES, QUERIES, WebAdmin, app_files, documents
from server.ui.web_assets import problems, sri
from tests.needed import needs

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
# gzip bytes of the page and every file it loads (docs/administrators/web-administration.md)
FIRST_LOAD_LIMIT = 60 * 1024

needs_node_modules = needs(
    not problems(NODE_MODULES, None), f"no pinned files in {NODE_MODULES}: run `npm ci`"
)


def client(node_modules: Path) -> httpx.AsyncClient:
    assets = GraphiQLAssets(node_modules)
    app = Starlette(routes=[*assets.routes(), *WebAdmin(assets).routes()])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def import_map(page: str) -> dict[str, dict[str, str]]:
    found = re.search(r'<script type="importmap" nonce="[^"]+">(.*?)</script>', page)
    assert found is not None, page
    loaded: dict[str, dict[str, str]] = json.loads(found.group(1))
    return loaded


@needs_node_modules
async def test_the_page_names_every_file_with_its_digest_under_a_strict_policy() -> None:
    async with client(NODE_MODULES) as http:
        page = await http.get("/admin")
        assert page.status_code == 200
        csp = page.headers["content-security-policy"]
        nonce = re.search(r"'nonce-([^']+)'", csp)
        assert nonce is not None
        assert f'nonce="{nonce.group(1)}"' in page.text
        assert "style-src 'self';" in csp
        assert "unsafe" not in csp

        mapped = import_map(page.text)
        assert mapped["imports"] == {name: asset.url for name, asset in LIBRARIES.items()}
        for url, integrity in mapped["integrity"].items():
            served = await http.get(url)
            assert served.status_code == 200, url
            assert sri(served.content) == integrity, url
        assert (await http.get("/admin/app/nothing.js")).status_code == 404


def first_load_modules() -> set[str]:
    """The SPA's own modules the entry imports statically, transitively: what a browser
    loads before the first screen (``import("./x.js")`` is loaded when first needed)."""
    found: set[str] = set()
    todo = ["main.js"]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found.add(name)
        source = (APP_FOLDER / name).read_text(encoding="utf-8")
        todo += re.findall(r'^import [^;]*?from "\./([\w.]+)";', source, re.MULTILINE | re.DOTALL)
    return found


@needs_node_modules
async def test_the_first_load_stays_small() -> None:
    """The page, its stylesheet, the libraries, the modules the entry imports and the
    larger catalogue (one is loaded at the start) stay under 60 KB gzip."""
    catalogue = max(("messages.de.js", "messages.en.js"),
                    key=lambda n: len(gzip.compress((APP_FOLDER / n).read_bytes(), 9)))  # fmt: skip
    async with client(NODE_MODULES) as http:
        page = (await http.get("/admin")).text
        own = sorted(first_load_modules() | {catalogue})
        urls = ["/admin/app/admin.css", *(asset.url for asset in LIBRARIES.values()),
                *(f"/admin/app/{name}" for name in own)]  # fmt: skip
        loaded = [page.encode(), *[(await http.get(url)).content for url in urls]]
    compressed = sum(len(gzip.compress(body, 9)) for body in loaded)
    assert compressed < FIRST_LOAD_LIMIT, compressed


def test_the_screens_are_loaded_when_first_opened() -> None:
    first = first_load_modules()
    assert {"main.js", "api.js", "i18n.js", "ui.js", "queries.js", "signin.js"} == first
    screens = {
        "users.js",
        "details.js",
        "system.js",
        "audit.js",
        "reset.js",
        "settings.js",
        "teams.js",
    }
    assert screens <= set(app_files()) - first
    main = (APP_FOLDER / "main.js").read_text(encoding="utf-8")
    for name in ("users.js", "details.js", "system.js", "audit.js"):
        assert f'import("./{name}")' in main, name


async def test_without_the_libraries_the_page_says_to_run_npm_ci(tmp_path: Path) -> None:
    async with client(tmp_path / "node_modules") as http:
        page = await http.get("/admin")
    assert page.status_code == 503
    assert "npm ci" in page.text
    assert "preact@" in page.text


def test_every_document_the_spa_sends_is_valid_and_kept_in_one_module() -> None:
    """queries.js is what the SPA sends and what `python -m bench` measures (its SPA mix)."""
    schema = build_schema(Limits())._schema
    found = documents()
    assert {"WHO", "SCOPES", "USERS_PAGE", "USER_DETAILS", "RESET_USERS", "AUDIT_EVENTS",
            "GATEWAY", "SCOPE_SETTINGS", "UPDATE_USER",
            "ADMINISTRATORS"} <= found.keys()  # fmt: skip
    for name, document in found.items():
        assert validate(schema, parse(document)) == [], name
    for path in APP_FOLDER.glob("*.js"):
        if path.name != QUERIES:
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"`\s*(query|mutation|subscription)\b", text), path.name


def test_a_document_built_with_interpolation_is_refused_not_misread(tmp_path: Path) -> None:
    (tmp_path / QUERIES).write_text(
        "export const A = `query A { x }`;\nexport const B = `query B { ${A} }`;\n"
    )
    with pytest.raises(ValueError, match="without"):
        documents(tmp_path)

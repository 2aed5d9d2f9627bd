"""The Web Administration's page and files (server/web_admin.py), without a browser."""

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
from server.graphiql import GraphiQLAssets
from server.web_admin import APP_FOLDER, LIBRARIES, QUERIES, WebAdmin, app_files, documents
from server.web_assets import problems, sri

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
FIRST_LOAD_LIMIT = 32 * 1024  # gzip bytes of the page and every file it loads (README)

needs_node_modules = pytest.mark.skipif(
    bool(problems(NODE_MODULES, None)), reason=f"no pinned files in {NODE_MODULES}: run `npm ci`"
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


@needs_node_modules
async def test_the_first_load_stays_small() -> None:
    async with client(NODE_MODULES) as http:
        page = (await http.get("/admin")).text
        urls = ["/admin/app/admin.css", *import_map(page)["integrity"]]
        loaded = [page.encode(), *[(await http.get(url)).content for url in urls]]
    compressed = sum(len(gzip.compress(body, 9)) for body in loaded)
    assert compressed < FIRST_LOAD_LIMIT, compressed
    assert len(loaded) == 1 + len(LIBRARIES) + len(app_files())


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
            "GATEWAY"} <= found.keys()  # fmt: skip
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

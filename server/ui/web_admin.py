"""The Web Administration at ``/admin``: a single-page app that uses only ``/graphql``.

Its own ES modules and stylesheet are the files of ``server/ui/spa/`` (shipped as
package data), served at ``/admin/app/<file>``. The libraries (Preact, its hooks,
htm) are pinned npm files (``server/ui/web_assets.py``) that GraphiQL's route
already serves from ``node_modules`` with their SHA-384; the page names them in
an import map. No build step, nothing from a CDN; every script is ``'self'``,
the import map is the one inline script (by nonce), and no inline style.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from html import escape
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from server.ui.graphiql import GraphiQLAssets
from server.ui.graphiql_page import INSTALL_COMMAND
from server.ui.web_assets import (
    CSS,
    HTM,
    INTL_MESSAGEFORMAT,
    JAVASCRIPT,
    PREACT,
    PREACT_HOOKS,
    sha384,
)

APP_FOLDER = Path(__file__).resolve().parent / "spa"
APP_PATH = "/admin/app"
ENTRY = "main.js"
QUERIES = "queries.js"
STYLESHEET = "admin.css"
LIBRARIES = {
    "preact": PREACT,
    "preact/hooks": PREACT_HOOKS,
    "htm": HTM,
    "intl-messageformat": INTL_MESSAGEFORMAT,
}

PAGE_CSP = (
    "default-src 'none'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self'; "
    "img-src 'self' data:; "
    "connect-src 'self'; "
    "base-uri 'none'; "
    "form-action 'none'; "
    "frame-ancestors 'none'"
)
NOTICE_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_MEDIA_TYPES = {".js": JAVASCRIPT, ".css": CSS}


@dataclass(frozen=True)
class AppFile:
    path: Path
    media_type: str
    integrity: str

    @property
    def url(self) -> str:
        return f"{APP_PATH}/{self.path.name}"


def app_files(folder: Path = APP_FOLDER) -> dict[str, AppFile]:
    """The SPA's own files by name, with their digests as the release has them."""
    return {
        path.name: AppFile(path, _MEDIA_TYPES[path.suffix], sha384(path))
        for path in sorted(folder.iterdir())
        if path.suffix in _MEDIA_TYPES
    }


_DOCUMENT = re.compile(r"^export const (\w+) = `((?:[^`$\\]|\$(?!\{))*)`;$", re.MULTILINE)


def documents(folder: Path = APP_FOLDER) -> dict[str, str]:
    """The GraphQL documents the SPA sends, by their names in ``queries.js``
    (for the benchmark's SPA mix and the tests: what they send is what the SPA sends)."""
    text = (folder / QUERIES).read_text(encoding="utf-8")
    found = dict(_DOCUMENT.findall(text))
    exported = len(re.findall(r"^export ", text, re.MULTILINE))
    if len(found) != exported:
        raise ValueError(f"{QUERIES}: only plain template literals without ${{…}} can be read")
    return found


class WebAdmin:
    """The page and the SPA's own files; the libraries come through ``assets``."""

    def __init__(self, assets: GraphiQLAssets) -> None:
        self.assets = assets
        self.files = app_files()

    async def page(self, request: Request) -> Response:
        """The SPA, or, when the libraries are not installed, a page that says how."""
        problems = await run_in_threadpool(self._library_problems)
        nonce = secrets.token_urlsafe(18)
        body, status, csp = (
            (_notice_html(problems), 503, NOTICE_CSP)
            if problems
            else (self._page_html(nonce), 200, PAGE_CSP.format(nonce=nonce))
        )
        headers = {**_HEADERS, "Content-Security-Policy": csp}
        return HTMLResponse(body, status_code=status, headers=headers)

    def _library_problems(self) -> list[str]:
        return [p for a in LIBRARIES.values() if (p := self.assets.problem(a)) is not None]

    async def file(self, request: Request) -> Response:
        found = self.files.get(request.path_params["name"])
        if found is None:
            return PlainTextResponse("Not Found", status_code=404)
        return FileResponse(
            found.path,
            media_type=found.media_type,
            headers={
                # Revalidated each time: a new release changes them under the same name.
                "Cache-Control": "no-cache",
                "X-Content-Type-Options": "nosniff",
                "Cross-Origin-Resource-Policy": "same-origin",
            },
        )

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/admin", self.page, methods=["GET"]),
            Route(f"{APP_PATH}/{{name}}", self.file, methods=["GET"]),
        ]

    def _page_html(self, nonce: str) -> str:
        import_map = {
            "imports": {name: asset.url for name, asset in LIBRARIES.items()},
            "integrity": {
                **{asset.url: asset.integrity for asset in LIBRARIES.values()},
                **{f.url: f.integrity for f in self.files.values() if f.media_type == JAVASCRIPT},
            },
        }
        css, entry = self.files[STYLESHEET], self.files[ENTRY]
        # "</" cannot occur in the JSON of these URLs and digests, so it cannot end the script.
        return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Connect Admin: Web Administration</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="{css.url}" integrity="{css.integrity}" />
    <script type="importmap" nonce="{nonce}">{json.dumps(import_map)}</script>
    <script type="module" src="{entry.url}" integrity="{entry.integrity}"></script>
  </head>
  <body>
    <div id="app"><p class="loading">Loading the Web Administration…</p></div>
    <noscript>The Web Administration needs JavaScript.</noscript>
  </body>
</html>
"""


def _notice_html(problems: list[str]) -> str:
    items = "".join(f"<li>{escape(problem)}</li>" for problem in problems)
    return f"""<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>The Web Administration is not installed</title></head>
  <body>
    <h1>The Web Administration is not installed</h1>
    <p>This server serves the Web Administration's libraries itself, and they are not
    installed. In the project folder (the one with <code>package.json</code>), run
    <code>{INSTALL_COMMAND}</code> and reload this page.</p>
    <ul>{items}</ul>
  </body>
</html>
"""

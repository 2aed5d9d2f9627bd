"""GraphiQL at ``/graphql`` without the internet: its files come from this server.

Strawberry's own GraphiQL page loads React, GraphiQL, js-cookie and the explorer
plugin from unpkg.com. This page is the same page (headers editor, subscriptions
over graphql-transport-ws on the same path, the explorer plugin), but every file
is served from ``/graphql/assets/…`` out of the npm packages that ``npm ci``
installs from package.json/package-lock.json into ``node_modules``.

Which ``node_modules``: ``CONNECT_WEB_ASSETS`` when set (relative to the working
folder); otherwise the copy an installed wheel carries (``server/web``,
put there by ``setup.py``); without one, ``./node_modules`` in the working folder
if it exists, else the one beside the ``pyproject.toml`` of the source checkout
the package runs from (an editable install). Only the files listed in ``ASSETS``
(``server/web_assets.py``) are served, and only when their SHA-384 is the pinned
one (kept in the page as subresource integrity too). When a file is missing or
differs, the page says how to install the files (``npm ci``); there is no
fallback to a CDN.
"""

from __future__ import annotations

import logging
import secrets
from html import escape
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from server.web_assets import (
    ASSETS,
    ASSETS_PATH,
    BUNDLED,
    EXPLORER_CSS,
    EXPLORER_JS,
    GRAPHIQL_CSS,
    GRAPHIQL_JS,
    JS_COOKIE,
    REACT,
    REACT_DOM,
    Asset,
    sha384,
)

logger = logging.getLogger("connect_admin.server.graphiql")

NODE_MODULES = "node_modules"
INSTALL_COMMAND = "npm ci"

# The one place GraphiQL's files may come from; scripts also by the page's nonce.
# 'unsafe-inline' styles: the page's <style> and the style attributes React sets.
# Fonts and icons of graphiql.min.css and the favicon are data: URLs.
PAGE_CSP = (
    "default-src 'none'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "font-src 'self' data:; "
    "connect-src 'self'; "
    "base-uri 'none'; "
    "form-action 'none'; "
    "frame-ancestors 'none'"
)
NOTICE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
ASSET_CACHE_CONTROL = "public, max-age=86400"


def source_checkout() -> Path | None:
    """The folder with this project's pyproject.toml when running from a source checkout."""
    root = Path(__file__).resolve().parents[1]  # <root>/server/graphiql.py
    pyproject = root / "pyproject.toml"
    try:
        if 'name = "connect-admin"' in pyproject.read_text(encoding="utf-8"):
            return root
    except OSError:
        return None
    return None


def default_node_modules() -> Path:
    """The copy an installed wheel carries; without one ``./node_modules`` if it exists,
    else the source checkout's, else ``./node_modules``."""
    if BUNDLED.is_dir():
        return BUNDLED
    here = Path.cwd() / NODE_MODULES
    if here.is_dir():
        return here
    checkout = source_checkout()
    if checkout is not None and (checkout / NODE_MODULES).is_dir():
        return checkout / NODE_MODULES
    return here


class GraphiQLAssets:
    """The GraphiQL page and its files, out of one ``node_modules`` folder."""

    def __init__(self, node_modules: Path | None = None) -> None:
        self.node_modules = (
            Path(node_modules).absolute() if node_modules is not None else default_node_modules()
        )
        # Path -> (stat key, digest); a file is hashed again only when it changed.
        self._digests: dict[Path, tuple[tuple[int, int, int], str]] = {}

    def problem(self, asset: Asset) -> str | None:
        """Why this file cannot be served, or None when it is the pinned one."""
        path = asset.source(self.node_modules)
        try:
            stat = path.stat()
            key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
            cached = self._digests.get(path)
            if cached is not None and cached[0] == key:
                digest = cached[1]
            else:
                digest = sha384(path)
                self._digests[path] = (key, digest)
        except OSError:
            return f"{asset.package}@{asset.version}: {asset.file} is missing"
        if digest != asset.integrity:
            return f"{asset.package}: {asset.file} is not the one of version {asset.version}"
        return None

    def problems(self) -> list[str]:
        return [p for asset in ASSETS.values() if (p := self.problem(asset)) is not None]

    async def page(self, request: Request) -> Response:
        """The IDE, or, when its files are not installed, a page that says how to install them."""
        problems = await run_in_threadpool(self.problems)
        if problems:
            logger.warning(
                "GraphiQL's files are not installed in %s (%s); run `%s` in the project folder "
                "or set CONNECT_WEB_ASSETS",
                self.node_modules, "; ".join(problems), INSTALL_COMMAND,
            )  # fmt: skip
            return HTMLResponse(
                _notice_html(problems),
                status_code=503,
                headers={**_PAGE_HEADERS, "Content-Security-Policy": NOTICE_CSP},
            )
        nonce = secrets.token_urlsafe(18)
        return HTMLResponse(
            _page_html(nonce),
            headers={**_PAGE_HEADERS, "Content-Security-Policy": PAGE_CSP.format(nonce=nonce)},
        )

    async def asset(self, request: Request) -> Response:
        """``GET /graphql/assets/<package>@<version>/<file>``: one of ``ASSETS``, nothing else."""
        asset = ASSETS.get(request.path_params["path"])
        if asset is None:
            return PlainTextResponse("Not Found", status_code=404)
        problem = await run_in_threadpool(self.problem, asset)
        if problem is not None:
            return PlainTextResponse(
                f"{problem}; run `{INSTALL_COMMAND}` in the project folder.", status_code=404
            )
        return FileResponse(
            asset.source(self.node_modules),
            media_type=asset.media_type,
            headers={
                "Cache-Control": ASSET_CACHE_CONTROL,
                "X-Content-Type-Options": "nosniff",
                "Cross-Origin-Resource-Policy": "same-origin",
            },
        )

    def routes(self) -> list[BaseRoute]:
        return [Route(f"{ASSETS_PATH}/{{path:path}}", self.asset, methods=["GET"])]


_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _script(asset: Asset) -> str:
    return f'    <script src="{asset.url}" integrity="{asset.integrity}"></script>\n'


def _stylesheet(asset: Asset) -> str:
    return f'    <link rel="stylesheet" href="{asset.url}" integrity="{asset.integrity}" />\n'


def _page_html(nonce: str) -> str:
    return (
        _PAGE_HEAD
        + _script(REACT)
        + _script(REACT_DOM)
        + _script(JS_COOKIE)
        + _stylesheet(GRAPHIQL_CSS)
        + _stylesheet(EXPLORER_CSS)
        + "  </head>\n\n  <body>\n"
        + '    <div id="graphiql" class="graphiql-container">Loading...</div>\n'
        + _script(GRAPHIQL_JS)
        + _script(EXPLORER_JS)
        + f'    <script nonce="{nonce}">'
        + _BOOTSTRAP
        + "</script>\n  </body>\n</html>\n"
    )


def _notice_html(problems: list[str]) -> str:
    items = "".join(f"<li>{escape(problem)}</li>" for problem in problems)
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>GraphiQL is not installed</title>
    <style>
      body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 44em; margin: 3em auto; }}
      code {{ background: #f0f0f0; padding: 0 .2em; }}
    </style>
  </head>
  <body>
    <h1>GraphiQL is not installed</h1>
    <p>This server serves GraphiQL's files itself (it loads nothing from the internet),
    and they are not installed. In the project folder (the one with
    <code>package.json</code>), run:</p>
    <pre><code>{INSTALL_COMMAND}</code></pre>
    <p>and reload this page. Or set <code>CONNECT_WEB_ASSETS</code> to a
    <code>node_modules</code> folder made by <code>{INSTALL_COMMAND}</code> and restart
    the server.</p>
    <ul>{items}</ul>
    <p>The GraphQL API itself works: <code>POST</code> queries to this address.</p>
  </body>
</html>
"""


# Strawberry's page (strawberry/static/graphiql.html), with our URLs (see _page_html).
_PAGE_HEAD = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Connect Admin GraphiQL</title>
    <link
      rel="icon"
      href="data:image/svg+xml,
        <svg xmlns=%22http://www.w3.org/2000/svg%22 viewBox=%220 0 100 100%22>
            <text y=%22.9em%22 font-size=%2280%22>&#x1f353;</text>
        </svg>"
    />
    <style>
      body {
        height: 100%;
        margin: 0;
        width: 100%;
        overflow: hidden;
      }

      #graphiql {
        height: 100vh;
        display: flex;
      }

      .docExplorerHide {
        display: none;
      }

      .doc-explorer-contents {
        overflow-y: hidden !important;
      }

      .docExplorerWrap {
        width: unset !important;
        min-width: unset !important;
      }

      .graphiql-explorer-actions select {
        margin-left: 4px;
      }
    </style>

"""

_BOOTSTRAP = """
      const EXAMPLE_QUERY = `# Welcome to GraphiQL for Connect Admin
#
# Sign in first:
#
#     mutation {
#       adminSignIn(login: "admin", password: "…") {
#         token
#         errors { code message }
#       }
#     }
#
# then put the token into the Headers pane below:
#
#     { "Authorization": "Bearer cas_…" }
#
# Keyboard shortcuts:
#
#       Run Query:  Ctrl-Enter (or press the play button above)
#
#   Auto Complete:  Ctrl-Space (or just start typing)
#
`;

      // Parse URL parameters for sharing queries
      const parameters = {};

      for (const entry of window.location.search.slice(1).split("&")) {
        const eq = entry.indexOf("=");
        if (eq >= 0) {
          parameters[decodeURIComponent(entry.slice(0, eq))] =
            decodeURIComponent(entry.slice(eq + 1));
        }
      }

      function updateURL(data) {
        Object.assign(parameters, data);

        const newSearch =
          "?" +
          Object.keys(parameters)
            .filter(function (key) {
              return Boolean(parameters[key]);
            })
            .map(function (key) {
              return (
                encodeURIComponent(key) +
                "=" +
                encodeURIComponent(parameters[key])
              );
            })
            .join("&");
        history.replaceState(null, null, newSearch);
      }

      const fetchURL = window.location.href.split("?")[0];

      function httpUrlToWebSockeUrl(url) {
        const parsedURL = new URL(url);
        const protocol = parsedURL.protocol === "http:" ? "ws:" : "wss:";
        parsedURL.protocol = protocol;
        parsedURL.hash = "";
        return parsedURL.toString();
      }

      const defaultHeaders = {};
      const csrfToken = Cookies.get("csrftoken");

      if (csrfToken) {
        defaultHeaders["x-csrftoken"] = csrfToken;
      }

      const subscriptionUrl = httpUrlToWebSockeUrl(fetchURL);

      const fetcher = GraphiQL.createFetcher({
        url: fetchURL,
        headers: defaultHeaders,
        subscriptionUrl,
      });

      function GraphiQLWithExplorer() {
        const [query, setQuery] = React.useState(
          parameters.q || EXAMPLE_QUERY,
        );
        const [variables, setVariables] = React.useState(
          parameters.variables,
        );
        const [headers, setHeaders] = React.useState(parameters.headers);

        function onEditQuery(newQuery) {
          setQuery(newQuery);
          updateURL({ q: newQuery });
        }

        function onEditVariables(newVariables) {
          setVariables(newVariables);
          updateURL({ variables: newVariables });
        }

        function onEditHeaders(newHeaders) {
          setHeaders(newHeaders);
        }

        const explorerPlugin = GraphiQLPluginExplorer.explorerPlugin();

        return React.createElement(GraphiQL, {
          fetcher: fetcher,
          defaultEditorToolsVisibility: true,
          plugins: [explorerPlugin],
          query: query,
          variables: variables,
          headers: headers,
          onEditQuery: onEditQuery,
          onEditVariables: onEditVariables,
          onEditHeaders: onEditHeaders,
          inputValueDeprecation: true,
          isHeadersEditorEnabled: true,
          shouldPersistHeaders: true,
        });
      }

      const root = ReactDOM.createRoot(document.getElementById("graphiql"));
      root.render(React.createElement(GraphiQLWithExplorer));
    """

__all__ = [
    "ASSETS",
    "ASSETS_PATH",
    "GRAPHIQL_JS",
    "REACT",
    "Asset",
    "GraphiQLAssets",
    "default_node_modules",
]

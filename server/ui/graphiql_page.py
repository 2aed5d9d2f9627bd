"""GraphiQL's page, as Strawberry writes it, with every file from this server.

Also the notice shown in its place when the files are not installed, and the
headers of both (a Content-Security-Policy that lets in nothing from elsewhere).
"""

from __future__ import annotations

import secrets
from html import escape

from starlette.responses import HTMLResponse

from server.ui.graphiql_examples import EXAMPLES_ELEMENT_ID, examples_json
from server.ui.web_assets import (
    EXPLORER_CSS,
    EXPLORER_JS,
    GRAPHIQL_CSS,
    GRAPHIQL_JS,
    JS_COOKIE,
    REACT,
    REACT_DOM,
    Asset,
)

INSTALL_COMMAND = "npm ci"

# The one place GraphiQL's files may come from; scripts also by the page's nonce.
# 'unsafe-inline' styles: the page's <style> and the style attributes React sets.
# Fonts and icons of graphiql.min.css and the favicon are data: URLs.
_PAGE_CSP = (
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
_NOTICE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def page_response() -> HTMLResponse:
    """The IDE; its inline script runs by a nonce of this response only."""
    nonce = secrets.token_urlsafe(18)
    return HTMLResponse(
        _page_html(nonce),
        headers={**_PAGE_HEADERS, "Content-Security-Policy": _PAGE_CSP.format(nonce=nonce)},
    )


def notice_response(problems: list[str]) -> HTMLResponse:
    """503: the page that says how to install GraphiQL's files, and what is wrong with them."""
    return HTMLResponse(
        _notice_html(problems),
        status_code=503,
        headers={**_PAGE_HEADERS, "Content-Security-Policy": _NOTICE_CSP},
    )


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
        # Data, not a script: the browser does not run it, the nonce is not needed.
        + f'    <script type="application/json" id="{EXAMPLES_ELEMENT_ID}">'
        + examples_json()
        + "</script>\n"
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
      // The example tabs (server/ui/graphiql_examples.py), while no tabs are stored.
      const EXAMPLE_TABS = JSON.parse(
        document.getElementById("EXAMPLES_ELEMENT_ID").textContent,
      );

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

      // GraphiQL fills the Variables and Headers panes of the first tab from its
      // variables and headers, not from defaultTabs: so the first example's go there
      // while the examples are what GraphiQL opens with.
      function storedTabs() {
        try {
          return Boolean(window.localStorage.getItem("graphiql:tabState"));
        } catch {
          return false;
        }
      }
      const firstExample =
        parameters.q || storedTabs() ? {} : EXAMPLE_TABS[0];

      function GraphiQLWithExplorer() {
        // A shared link (?q=…) opens with its query, otherwise the example tabs.
        const [query, setQuery] = React.useState(parameters.q);
        const [variables, setVariables] = React.useState(
          parameters.variables ?? firstExample.variables,
        );
        const [headers, setHeaders] = React.useState(
          parameters.headers ?? firstExample.headers,
        );

        function onEditQuery(newQuery) {
          setQuery(newQuery);
          updateURL({ q: newQuery });
        }

        // Not in the URL: the variables may hold a password (SignIn's).
        function onEditVariables(newVariables) {
          setVariables(newVariables);
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
          defaultTabs: parameters.q ? undefined : EXAMPLE_TABS,
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
    """.replace("EXAMPLES_ELEMENT_ID", EXAMPLES_ELEMENT_ID)

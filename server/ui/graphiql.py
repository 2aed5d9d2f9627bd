"""GraphiQL at ``/graphql`` without the internet: its files come from this server.

Strawberry's own GraphiQL page loads React, GraphiQL, js-cookie and the explorer
plugin from unpkg.com. This page is the same page (headers editor, subscriptions
over graphql-transport-ws on the same path, the explorer plugin), but every file
is served from ``/graphql/assets/…`` out of the npm packages that ``npm ci``
installs from package.json/package-lock.json into ``node_modules``.

Which ``node_modules``: ``CONNECT_WEB_ASSETS`` when set (relative to the working
folder); otherwise the copy an installed wheel carries (``server/ui/web``,
put there by ``setup.py``); without one, ``./node_modules`` in the working folder
if it exists, else the one beside the ``pyproject.toml`` of the source checkout
the package runs from (an editable install). Only the files listed in ``ASSETS``
(``server/ui/web_assets.py``) are served, and only when their SHA-384 is the pinned
one (kept in the page as subresource integrity too). When a file is missing or
differs, the page says how to install the files (``npm ci``); there is no
fallback to a CDN.
"""

from __future__ import annotations

import logging
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from server.ui.graphiql_page import INSTALL_COMMAND, notice_response, page_response
from server.ui.web_assets import (
    ASSETS,
    ASSETS_PATH,
    BUNDLED,
    GRAPHIQL_JS,
    REACT,
    Asset,
    sha384,
)

logger = logging.getLogger("connect_admin.server.graphiql")

NODE_MODULES = "node_modules"

ASSET_CACHE_CONTROL = "public, max-age=86400"


def source_checkout() -> Path | None:
    """The folder with this project's pyproject.toml when running from a source checkout."""
    root = Path(__file__).resolve().parents[2]  # <root>/server/ui/graphiql.py
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
            return notice_response(problems)
        return page_response()

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


__all__ = [
    "ASSETS",
    "ASSETS_PATH",
    "GRAPHIQL_JS",
    "REACT",
    "Asset",
    "GraphiQLAssets",
    "default_node_modules",
]

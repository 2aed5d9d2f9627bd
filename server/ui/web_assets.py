"""The pinned browser files of GraphiQL and of the Web Administration (``/admin``):
which files of which npm packages, and their digests.

Standard library only: ``setup.py`` loads this file by its path at build time (the
build environment has none of the server's dependencies) to copy the files into
the wheel with ``copy_assets``. ``server/ui/graphiql.py`` serves them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

ASSETS_PATH = "/graphql/assets"
JAVASCRIPT = "text/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"

# The copy an installed wheel carries, laid out as in node_modules (see setup.py).
BUNDLED = Path(__file__).resolve().parent / "web"


@dataclass(frozen=True)
class Asset:
    """A file of a pinned npm package, served at ``/graphql/assets/<package>@<version>/<file>``."""

    package: str
    version: str
    file: str
    media_type: str
    integrity: str  # "sha384-<base64>", as in the page's integrity attribute

    @property
    def key(self) -> str:
        return f"{self.package}@{self.version}/{self.file}"

    @property
    def url(self) -> str:
        return f"{ASSETS_PATH}/{self.key}"

    def source(self, node_modules: Path) -> Path:
        return node_modules / self.package / self.file


# The versions of package.json. The digests of React, GraphiQL and js-cookie are those
# Strawberry's page pins for unpkg; the explorer is 3.2.5 (the one built for GraphiQL
# 3.8's @graphiql/react 0.28; Strawberry pins 1.0.2), digests of its npm tarball's files.
# tests/cli/test_web_assets.py checks every digest against the file in the tarball that
# package-lock.json names.
REACT = Asset(
    "react", "18.2.0", "umd/react.production.min.js", JAVASCRIPT,
    "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
)  # fmt: skip
REACT_DOM = Asset(
    "react-dom", "18.2.0", "umd/react-dom.production.min.js", JAVASCRIPT,
    "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
)  # fmt: skip
JS_COOKIE = Asset(
    "js-cookie", "3.0.5", "dist/js.cookie.min.js", JAVASCRIPT,
    "sha384-/vxhYfM1LENRhdpZ8dwEsQn/X4VhpbEZSiU4m/FwR+PVpzar4fkEOw8FP9Y+OfQN",
)  # fmt: skip
GRAPHIQL_CSS = Asset(
    "graphiql", "3.8.3", "graphiql.min.css", CSS,
    "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
)  # fmt: skip
EXPLORER_CSS = Asset(
    "@graphiql/plugin-explorer", "3.2.5", "dist/style.css", CSS,
    "sha384-YN9MumWidbWKuNj8VfH5ggrFvm9YqAoIOMnKYpeGL3dr7Eg1qnQ+SAqSthdNZCjz",
)  # fmt: skip
GRAPHIQL_JS = Asset(
    "graphiql", "3.8.3", "graphiql.min.js", JAVASCRIPT,
    "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
)  # fmt: skip
EXPLORER_JS = Asset(
    "@graphiql/plugin-explorer", "3.2.5", "dist/index.umd.js", JAVASCRIPT,
    "sha384-5p6hGdlOTvUy6Wf0GauxCz+xM9YB/YYvcGG+bf9msr2eyd+KVIxgRkepHgUijedJ",
)  # fmt: skip

# The Web Administration's ES modules (server/ui/web_admin.py), served at the same path.
PREACT = Asset(
    "preact", "11.2.0", "dist/preact.mjs", JAVASCRIPT,
    "sha384-k/EbA8To4I3ncNvT4R+JKSGfXaos0GHF0QjilyGENHN3dfDvol5wxZlDSy5JsgjZ",
)  # fmt: skip
PREACT_HOOKS = Asset(
    "preact", "11.2.0", "hooks/dist/hooks.mjs", JAVASCRIPT,
    "sha384-6F3ul+Ho/nKCCDmlU/B6eYlkriJbeXtDjrsI5tzV7s/OZ+Dky6DAB2MW5Tn0UxO9",
)  # fmt: skip
HTM = Asset(
    "htm", "3.1.1", "dist/htm.mjs", JAVASCRIPT,
    "sha384-k7/PyxcXOQ/zfJq1v0TM/CcBLQ2m2NzGg2tfHehdgJGqcY7RBwIP4Ye+ssG+QK1I",
)  # fmt: skip
# ICU messages (plurals, selects, dates) for the Web Administration's catalogues. The
# package's "iife" file is in fact a self-contained ES module (its parser bundled in).
INTL_MESSAGEFORMAT = Asset(
    "intl-messageformat", "12.1.5", "intl-messageformat.iife.js", JAVASCRIPT,
    "sha384-bbamgaS4LqFW/7SCfjqe0uJygSbHZeBvSR6mMAO6EaT7/Q6YoDa/YTVDMulUYRUj",
)  # fmt: skip

GRAPHIQL_FILES = (REACT, REACT_DOM, JS_COOKIE, GRAPHIQL_CSS, EXPLORER_CSS, GRAPHIQL_JS, EXPLORER_JS)
WEB_ADMIN_FILES = (PREACT, PREACT_HOOKS, HTM, INTL_MESSAGEFORMAT)
# Every pinned file: served at ASSETS_PATH, checked and shipped in the wheel together.
ASSETS: dict[str, Asset] = {asset.key: asset for asset in (*GRAPHIQL_FILES, *WEB_ADMIN_FILES)}


def sri(data: bytes) -> str:
    """The subresource-integrity digest of the bytes: ``sha384-<base64>``."""
    return _integrity(hashlib.sha384(data).digest())


def sha384(path: Path) -> str:
    """``sri`` of a file, read in chunks."""
    digest = hashlib.sha384()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return _integrity(digest.digest())


def _integrity(digest: bytes) -> str:
    return "sha384-" + base64.b64encode(digest).decode("ascii")


class AssetError(Exception):
    """GraphiQL's files cannot go into the wheel; the message lists why."""


def problems(node_modules: Path, lock_file: Path | None) -> list[str]:
    """What keeps the files in ``node_modules`` from being the pinned ones: each package at
    its pinned version in the lock file (when given) and in its own package.json, each file
    with its pinned SHA-384."""
    found: list[str] = []
    locked: dict[str, dict[str, object]] = {}
    if lock_file is not None:
        try:
            locked = json.loads(lock_file.read_text(encoding="utf-8"))["packages"]
        except (OSError, ValueError, KeyError) as error:
            return [f"{lock_file}: cannot read the packages it locks ({error})"]
    for package, version in sorted({(a.package, a.version) for a in ASSETS.values()}):
        if lock_file is not None:
            in_lock = locked.get(f"node_modules/{package}", {}).get("version")
            if in_lock != version:
                found.append(f"{lock_file.name} locks {package} at {in_lock}, not {version}")
        try:
            manifest = json.loads((node_modules / package / "package.json").read_bytes())
        except (OSError, ValueError):
            found.append(f"{package}@{version} is not installed in {node_modules}")
            continue
        if manifest.get("version") != version:
            found.append(f"{node_modules / package} is version {manifest.get('version')}")
    for asset in ASSETS.values():
        path = asset.source(node_modules)
        if not path.is_file():
            found.append(f"{path} is missing")
        elif sha384(path) != asset.integrity:
            found.append(f"{path} is not the pinned file of {asset.package}@{asset.version}")
    return found


def copy_assets(node_modules: Path, target: Path, lock_file: Path | None) -> None:
    """Copies the pinned files, with their packages' package.json and LICENSE, from
    ``node_modules`` into ``target`` in the same layout, after checking them
    (``problems``); raises ``AssetError`` and copies nothing when any is not the pinned one."""
    found = problems(node_modules, lock_file)
    if found:
        raise AssetError("; ".join(found))
    for package in {asset.package for asset in ASSETS.values()}:
        (target / package).mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "LICENSE"):
            if (node_modules / package / name).is_file():
                shutil.copyfile(node_modules / package / name, target / package / name)
    for asset in ASSETS.values():
        destination = asset.source(target)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(asset.source(node_modules), destination)

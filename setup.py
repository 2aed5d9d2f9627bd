"""The wheel and the sdist carry GraphiQL's pinned files (metadata: pyproject.toml).

A build copies the files that ``server/ui/web_assets.py`` pins into
``server/ui/web`` of the wheel, from ``node_modules`` (``npm ci``) in a
checkout, or from ``server/ui/web`` in an unpacked sdist (which the
sdist carries for this). Each package must be at its pinned version in
package-lock.json and in its own package.json, and each file must have its pinned
SHA-384, else the build stops. Without the files at all the build stops too, unless
``CONNECT_BUILD_WITHOUT_GRAPHIQL=1``: such a wheel serves the API and, at
``/graphql`` in a browser, the "run npm ci" notice. Editable installs copy nothing;
the server then uses the checkout's ``node_modules``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent
PACKAGE_WEB = Path("server", "ui", "web")
WITHOUT = "CONNECT_BUILD_WITHOUT_GRAPHIQL"


def _web_assets() -> ModuleType:
    """``web_assets.py`` by its path: importing the package would need its dependencies."""
    name = "_connect_admin_web_assets"
    spec = importlib.util.spec_from_file_location(name, ROOT / "server" / "ui" / "web_assets.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look the module up
    spec.loader.exec_module(module)
    return module


def _copy_web_assets(target: Path) -> None:
    web_assets = _web_assets()
    unpacked_sdist = ROOT / PACKAGE_WEB
    if unpacked_sdist.is_dir():
        source, lock = unpacked_sdist, None
    else:
        source, lock = ROOT / "node_modules", ROOT / "package-lock.json"
    if not source.is_dir() and os.environ.get(WITHOUT) == "1":
        print(f"{WITHOUT}=1: building without GraphiQL's files", file=sys.stderr)
        return
    if not source.is_dir():
        raise SystemExit(
            f"GraphiQL's files are not installed ({source} is missing): run `npm ci` in "
            f"{ROOT} first, or set {WITHOUT}=1 for a package whose /graphql page says "
            "to run npm ci"
        )
    try:
        web_assets.copy_assets(source, target, lock)
    except web_assets.AssetError as error:
        message = f"GraphiQL's files are not the pinned ones: {error}; run `npm ci`"
        raise SystemExit(message) from None


class BuildPyWithWebAssets(build_py):
    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            _copy_web_assets(Path(self.build_lib, "server", "ui", "web"))


class SdistWithWebAssets(sdist):
    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        _copy_web_assets(Path(base_dir) / PACKAGE_WEB)


setup(cmdclass={"build_py": BuildPyWithWebAssets, "sdist": SdistWithWebAssets})

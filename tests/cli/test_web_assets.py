"""GraphiQL's pinned files: the pins agree with package-lock.json, and a build refuses
files that are not the pinned ones."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from server.ui.web_assets import (
    ASSETS,
    GRAPHIQL_JS,
    REACT,
    AssetError,
    copy_assets,
    problems,
    sri,
)
from tests.needed import missing, needs

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
LOCK = ROOT / "package-lock.json"

needs_node_modules = needs(
    not problems(NODE_MODULES, LOCK), f"no pinned files in {NODE_MODULES}: run `npm ci`"
)


def locked(package: str) -> dict[str, str]:
    entry: dict[str, str] = json.loads(LOCK.read_text(encoding="utf-8"))["packages"][
        f"node_modules/{package}"
    ]
    return entry


def npm_cache() -> Path:
    if shutil.which("npm") is None:
        missing("no npm: its cache holds the tarballs package-lock.json names")
    found = subprocess.run(
        ["npm", "config", "get", "cache"], capture_output=True, text=True, check=True
    )
    return Path(found.stdout.strip()) / "_cacache"


def tarball(cache: Path, integrity: str) -> bytes:
    """The npm tarball with this integrity out of npm's content-addressed cache."""
    algorithm, digest = integrity.split("-", 1)
    hexdigest = base64.b64decode(digest).hex()
    path = cache / "content-v2" / algorithm / hexdigest[:2] / hexdigest[2:4] / hexdigest[4:]
    if not path.is_file():
        missing(f"npm's cache does not hold {integrity} (run `npm ci` here)")
    data = path.read_bytes()
    assert hashlib.new(algorithm, data).hexdigest() == hexdigest
    return data


def test_every_pin_is_the_file_of_the_tarball_the_lock_names() -> None:
    """The chain from package-lock.json's sha512 of each tarball to our SHA-384 of one file
    in it: the pins are the files npm installs, whatever node_modules holds now."""
    cache = npm_cache()
    for asset in ASSETS.values():
        entry = locked(asset.package)
        assert entry["version"] == asset.version, asset
        with tarfile.open(fileobj=io.BytesIO(tarball(cache, entry["integrity"]))) as archive:
            member = archive.extractfile(f"package/{asset.file}")
            assert member is not None, asset
            assert sri(member.read()) == asset.integrity, asset


@needs_node_modules
def test_the_pinned_files_are_copied_with_their_licences(tmp_path: Path) -> None:
    copy_assets(NODE_MODULES, tmp_path / "web", LOCK)
    for asset in ASSETS.values():
        assert sri(asset.source(tmp_path / "web").read_bytes()) == asset.integrity
    assert (tmp_path / "web" / "react" / "LICENSE").is_file()
    assert problems(tmp_path / "web", None) == []


@needs_node_modules
def test_a_changed_file_or_another_version_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "node_modules"
    copy_assets(NODE_MODULES, copy, None)
    GRAPHIQL_JS.source(copy).write_text("alert('not graphiql')", encoding="utf-8")
    manifest = copy / "react" / "package.json"
    manifest.write_text(json.dumps({"name": "react", "version": "18.3.1"}), encoding="utf-8")
    lock = json.loads(LOCK.read_text(encoding="utf-8"))
    lock["packages"]["node_modules/js-cookie"]["version"] = "3.0.1"
    lock_file = tmp_path / "package-lock.json"
    lock_file.write_text(json.dumps(lock), encoding="utf-8")

    with pytest.raises(AssetError) as refused:
        copy_assets(copy, tmp_path / "web", lock_file)

    message = str(refused.value)
    assert f"{GRAPHIQL_JS.source(copy)} is not the pinned file of graphiql@3.8.3" in message
    assert f"{copy / 'react'} is version 18.3.1" in message
    assert "package-lock.json locks js-cookie at 3.0.1, not 3.0.5" in message
    assert not (tmp_path / "web").exists()


def test_missing_files_are_named(tmp_path: Path) -> None:
    found = problems(tmp_path / "nowhere", None)
    assert f"react@{REACT.version} is not installed in {tmp_path / 'nowhere'}" in found
    assert f"{REACT.source(tmp_path / 'nowhere')} is missing" in found

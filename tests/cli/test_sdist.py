"""The sdist stands on its own: it carries the license and the files its tests read
(the docs, the exported schema), its metadata names the license, and the tests that
read those files pass inside the unpacked sdist."""

from __future__ import annotations

import email
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.cli.test_packaging import build, clean_env, clone

# Tests that read the repository's files (schema.graphql, docs/), run from the sdist.
READERS = [
    "tests/test_schema.py",
    "tests/test_schema_changes.py",
    "tests/test_error_codes.py",
    "tests/test_docs.py",
]


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("sdist")
    source = clone(tmp_path)
    [sdist] = build(source, tmp_path / "out", "--sdist")
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    [root] = (tmp_path / "unpacked").iterdir()
    return root


def test_the_sdist_carries_the_license_and_what_its_tests_read(unpacked: Path) -> None:
    for name in ("LICENSE", "schema.graphql", "docs/errors.md", "docs/contract.graphql",
                 "docs/schema-changelog.md", "constraints.txt", "README.md"):  # fmt: skip
        assert (unpacked / name).is_file(), name
    assert list((unpacked / "docs" / "released").glob("schema-*.graphql"))


def test_its_metadata_names_the_license(unpacked: Path) -> None:
    metadata = email.message_from_string((unpacked / "PKG-INFO").read_text(encoding="utf-8"))
    assert metadata["License-Expression"] == "LicenseRef-Proprietary"
    assert metadata.get_all("License-File") == ["LICENSE"]


def test_its_tests_find_their_files(unpacked: Path) -> None:
    # The unpacked sdist's packages come first on the path, ahead of the checkout's. It
    # lies away from ../shared, as a plain clone does: its run is not CI's (CI=true).
    env = {k: v for k, v in clean_env().items() if k != "CI"} | {"PYTHONPATH": str(unpacked)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *READERS],
        cwd=unpacked, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout

"""The README's test command in a plain clone: nothing it needs lies outside the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    return [name for name in listed.stdout.decode().split("\0") if name]


def plain_clone_environment(copy: Path) -> dict[str, str]:
    """A user's machine: not CI, where a missing shared folder would fail instead of skip."""
    environment = {name: value for name, value in os.environ.items() if name != "CI"}
    return {**environment, "PYTHONPATH": str(copy)}


def test_the_schema_checks_pass_in_a_copy_without_the_shared_folder(tmp_path: Path) -> None:
    copy = tmp_path / "alone" / "connect-admin"
    for name in tracked_files():
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    assert not (copy.parent / "shared").exists()

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
         "tests/test_schema.py"],
        cwd=copy, capture_output=True, text=True, timeout=300, check=False,
        env=plain_clone_environment(copy),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "failed" not in result.stdout
    assert "no shared contract at" in result.stdout  # skipped, and says why

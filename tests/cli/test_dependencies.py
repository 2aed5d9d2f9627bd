"""Every distribution the code imports is declared in pyproject.toml, and every one
declared is used (deptry, configured under [tool.deptry])."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_deptry_finds_no_undeclared_or_unused_dependency() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "deptry", "--no-ansi", "."],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr

"""A regular (not editable) install carries everything the server needs at run time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_regular_install_migrates_from_any_folder(tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
         "--disable-pip-version-check", "--target", str(target), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    work = tmp_path / "elsewhere"
    work.mkdir()
    # The installed copy comes first on the path, ahead of the editable checkout.
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}
    env["PYTHONPATH"] = str(target)
    result = subprocess.run(
        [sys.executable, "-c",
         "import connect_admin, sys; print(connect_admin.__file__); "
         "from connect_admin.server.cli import main; sys.exit(main(['migrate']))"],
        cwd=work, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(str(target))
    assert (work / "connect-admin.db").stat().st_size > 0

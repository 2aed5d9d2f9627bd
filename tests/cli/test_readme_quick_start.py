"""README's quick start runs as written in a copy of the repository's tracked files:
a new ``.venv``, the pinned install, ``npm ci``, the demo data, and a server that
serves GraphiQL and signs the demo administrator in.

The one change: ``serve`` gets a free port instead of 8000, and runs until the test
has seen it answer. Needs Python 3.11+ as ``python3`` on PATH, npm, and the package
registries (pip and npm use their caches when they can).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from server.commandline.demo_data import DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD
from tests.cli.serving import free_port, served
from tests.needed import missing

ROOT = Path(__file__).resolve().parents[2]
SERVE = ".venv/bin/connect-admin serve"


def quick_start_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Quick start\n(.*?)^## ", readme, re.MULTILINE | re.DOTALL)
    assert section is not None, "README has no Quick start section"
    block = re.search(r"^```sh\n(.*?)^```", section.group(1), re.MULTILINE | re.DOTALL)
    assert block is not None, "README's Quick start has no sh block"
    [command] = block.group(1).strip().splitlines()
    return command


def copy_of_the_repository(target: Path) -> Path:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def test_the_quick_start_runs_as_written(tmp_path: Path) -> None:
    if shutil.which("npm") is None:
        missing("the quick start needs npm (Node.js 20 or newer)")
    command = quick_start_command()
    assert command.endswith(SERVE), command
    port = free_port()
    clone = copy_of_the_repository(tmp_path / "connect-admin")
    # The user's PATH, without this suite's .venv; no CONNECT_ settings.
    venv_bin = str(ROOT / ".venv" / "bin")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != venv_bin)
    env.pop("VIRTUAL_ENV", None)
    script = command.removesuffix(SERVE) + f"exec {SERVE} --port {port}"

    with served(["bash", "-c", script], clone, env) as server:
        server.wait_until_started(timeout=900)
        base = f"http://127.0.0.1:{port}"
        page = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"}, timeout=30)
        signed_in = httpx.post(
            f"{base}/graphql",
            json={
                "query": "mutation($l: String!, $p: String!) { adminSignIn(login: $l, "
                "password: $p) { token } }",
                "variables": {"l": DEMO_ADMIN_LOGIN, "p": DEMO_ADMIN_PASSWORD},
            },
            timeout=30,
        )

    assert page.status_code == 200, server.output
    assert "graphiql" in page.text.lower()
    assert signed_in.json()["data"]["adminSignIn"]["token"], signed_in.text
    assert (clone / "connect-admin.db").is_file()
    assert "npm warn" not in server.output.lower()

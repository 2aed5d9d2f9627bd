"""README's PostgreSQL section runs as written, in a folder laid out as the quick start
leaves a clone (``.venv``), against a fresh database of the test server.

The section's shell block is taken from README.md and run by bash with two changes:
its example URL becomes the test database's, and ``serve --host 0.0.0.0`` listens on
127.0.0.1 and a free port, started until it is ready, then stopped. The password is
in ``password.txt``, as the section says. ``.venv/bin`` is not on PATH, as after the
quick start.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import signal
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy import make_url

from tests.cli.serving import free_port, served

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Readme-Admin!2026"

pytestmark = pytest.mark.postgres


def postgres_section_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## PostgreSQL\n(.*?)^## ", readme, re.MULTILINE | re.DOTALL)
    assert section is not None, "README has no PostgreSQL section"
    block = re.search(r"^```sh\n(.*?)^```", section.group(1), re.MULTILINE | re.DOTALL)
    assert block is not None, "README's PostgreSQL section has no sh block"
    return block.group(1).splitlines()


async def _execute(server_url: str, statement: str) -> None:
    connection = await asyncpg.connect(
        make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture
def fresh_database(postgres_server_url: str) -> Iterator[str]:
    """An empty database on the test server, dropped afterwards."""
    name = f"connect_readme_{uuid.uuid4().hex[:12]}"
    asyncio.run(_execute(postgres_server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_execute(postgres_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def script(commands: list[str], database_url: str, port: int) -> str:
    """The block with the test database's URL, and ``serve`` on 127.0.0.1:<port> last."""
    *before, serve = commands
    assert " serve " in f"{serve} ", commands
    assert "--host 0.0.0.0" in serve
    lines = ["set -euo pipefail"]
    for line in before:
        if line.startswith("export CONNECT_DATABASE_URL="):
            line = f"export CONNECT_DATABASE_URL={shlex.quote(database_url)}"
        lines.append(line)
    lines.append("exec " + serve.replace("--host 0.0.0.0", f"--host 127.0.0.1 --port {port}"))
    return "\n".join(lines) + "\n"


def test_readme_s_postgresql_section_runs_as_written(tmp_path: Path, fresh_database: str) -> None:
    commands = postgres_section_commands()
    # Like a clone after the quick start: .venv here, and not on PATH.
    (tmp_path / ".venv").symlink_to(sys.prefix)
    (tmp_path / "password.txt").write_text(PASSWORD + "\n", encoding="utf-8")
    venv_bin = str(Path(sys.prefix) / "bin")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}
    env["PATH"] = os.pathsep.join(
        entry for entry in env.get("PATH", "").split(os.pathsep) if entry != venv_bin
    )
    env.pop("VIRTUAL_ENV", None)
    port = free_port()

    bash = ["bash", "-c", script(commands, fresh_database, port)]
    with served(bash, tmp_path, env) as server:
        server.wait_until_started()
        base = f"http://127.0.0.1:{port}"
        ready = httpx.get(f"{base}/readyz", timeout=30)
        signed_in = httpx.post(
            f"{base}/graphql",
            json={
                "query": "mutation($p: String!) "
                '{ adminSignIn(login: "admin", password: $p) { token errors { code } } }',
                "variables": {"p": PASSWORD},
            },
            timeout=30,
        ).json()

    assert ready.status_code == 200, server.output
    assert signed_in["data"]["adminSignIn"]["errors"] == [], server.output
    assert signed_in["data"]["adminSignIn"]["token"].startswith("cas_")
    # uvicorn ends by SIGTERM again after a graceful shutdown.
    assert server.proc.returncode in (0, -signal.SIGTERM), server.output
    assert "Application shutdown complete" in server.output

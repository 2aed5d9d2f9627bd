"""docs/operators/postgresql.md runs as written, in a folder laid out as the quick start
leaves a clone (``.venv``), against the test server.

Its two shell blocks are taken from the document and run by bash. The first makes the
role and the database, with names of this test's own (roles are the server's, shared by
parallel runs) and ``psql`` on the test server's URL instead of ``sudo -u postgres``.
The second sets the server up with the URL of that role and database; ``serve --host
0.0.0.0`` listens on 127.0.0.1 and a free port, started until it is ready, then
stopped. The password is in ``password.txt``, as the document says. ``.venv/bin`` is
not on PATH, as after the quick start.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import signal
import subprocess
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
PASSWORD = "Readme-Root!2026"

pytestmark = pytest.mark.postgres


DOCUMENT = ROOT / "docs" / "operators" / "postgresql.md"


def sh_blocks() -> list[str]:
    text = DOCUMENT.read_text(encoding="utf-8")
    return [str(b) for b in re.findall(r"^```sh\n(.*?)^```", text, re.MULTILINE | re.DOTALL)]


def postgres_section_commands() -> list[str]:
    [block] = [b for b in sh_blocks() if "connect-admin migrate" in b]
    return block.splitlines()


def role_and_database_command(server_url: str, name: str, password: str) -> str:
    """The document's ``CREATE ROLE``/``CREATE DATABASE`` line for ``name``, run by psql
    on the test server."""
    [block] = [b for b in sh_blocks() if "CREATE ROLE" in b]
    [command] = block.strip().splitlines()
    psql = "psql " + shlex.quote(make_url(server_url).render_as_string(hide_password=False))
    assert command.startswith("sudo -u postgres psql "), command
    command = command.replace("sudo -u postgres psql", psql, 1)
    for old, new in (
        ("ROLE connect", f"ROLE {name}"),
        ("DATABASE connect", f"DATABASE {name}"),
        ("OWNER connect", f"OWNER {name}"),
        ("'password'", f"'{password}'"),
    ):
        assert old in command, (old, command)
        command = command.replace(old, new)
    return command


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
    """The document's role and database, made as it says; the URL the server then uses.
    Both are dropped afterwards."""
    name = f"connect_doc_{uuid.uuid4().hex[:12]}"
    password = uuid.uuid4().hex
    made = subprocess.run(
        ["bash", "-e", "-c", role_and_database_command(postgres_server_url, name, password)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    try:
        assert made.returncode == 0, made.stderr
        role = make_url(postgres_server_url).set(username=name, password=password, database=name)
        yield role.render_as_string(hide_password=False)
    finally:
        asyncio.run(_execute(postgres_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        asyncio.run(_execute(postgres_server_url, f'DROP ROLE IF EXISTS "{name}"'))


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


def test_the_postgresql_set_up_runs_as_written(tmp_path: Path, fresh_database: str) -> None:
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

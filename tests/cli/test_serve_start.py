"""What ``connect-admin serve`` says as it starts: the addresses of the API, GraphiQL, the
Web Administration and /metrics, the database it uses (never its password), and how to
make an administrator while there is none."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from sqlalchemy import make_url

from domain.principals import SYSTEM
from domain.services.locations import NewLocation
from persistence.database import create_engine
from persistence.migrate import upgrade
from server.container import build_services
from server.settings import Settings
from tests.cli.serving import free_port, served
from tests.cli.test_command_line import connect_admin


def start(tmp_path: Path, env: dict[str, str] | None = None) -> str:
    """What serve printed until it listened, in the folder ``tmp_path``."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}
    environment.update(CONNECT_MAIL_DISPATCHER="false", **(env or {}))
    port = free_port()
    args = [sys.executable, "-m", "connect_admin", "serve", "--port", str(port)]
    with served(args, tmp_path, environment) as server:
        server.wait_until_started()
        return server.output.replace(str(port), "PORT")


def test_serve_says_what_it_serves_where_and_which_database(tmp_path: Path) -> None:
    assert connect_admin(tmp_path, "demo-data").returncode == 0

    output = start(tmp_path)

    base = "http://127.0.0.1:PORT"
    assert f"API:                {base}/graphql (GraphiQL in a browser)" in output
    assert f"Web Administration: {base}/admin" in output
    assert f"Metrics:            {base}/metrics" in output
    assert f"Database:           the SQLite file {tmp_path / 'connect-admin.db'}" in output
    # The demo organisation has administrators: no hint.
    assert "No administrator" not in output


def test_serve_on_an_empty_database_says_how_to_make_an_administrator(tmp_path: Path) -> None:
    output = start(tmp_path)

    assert "No administrator yet, so nobody can sign in. Make one:" in output
    assert "connect-admin create-admin --login LOGIN --last-name NAME --password-stdin" in output
    assert "connect-admin demo-data" in output


def test_serve_without_administrators_but_with_data_names_create_admin_only(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'connect-admin.db'}"
    upgrade(url)

    async def create_location() -> None:
        engine = create_engine(url)
        try:
            services = build_services(engine, Settings(database_url=url))  # type: ignore[call-arg]
            await services.locations.create_location(SYSTEM, NewLocation(name="Munich"))
        finally:
            await engine.dispose()

    asyncio.run(create_location())

    output = start(tmp_path)

    assert "No administrator yet" in output
    assert "create-admin" in output
    assert "demo-data" not in output


def test_serve_names_the_postgresql_database_without_its_password(
    tmp_path: Path, empty_postgres: str
) -> None:
    upgrade(empty_postgres)
    # The test server trusts local connections, so any password signs in.
    url = make_url(empty_postgres).set(password="s3cret-Pa55")

    output = start(
        tmp_path,
        {
            "CONNECT_DATABASE_URL": url.render_as_string(hide_password=False),
            "CONNECT_SECRET_KEY": "a-key-for-the-tests-of-the-start-up-lines",
        },
    )

    shown = url.render_as_string(hide_password=True)
    assert f"Database:           PostgreSQL {shown}" in output
    assert "s3cret-Pa55" not in output
    assert "No administrator yet" in output

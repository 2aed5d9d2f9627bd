"""Every misconfiguration is one message that names what to change, and one exit code:
2 for what the operator must change, 3 for a database that cannot be reached now."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx
import pytest
from sqlalchemy import make_url

from persistence.database import create_engine
from persistence.migrate import head_revision, upgrade
from server.container import services_factory
from server.dispatcher import run_dispatcher
from server.http.app import create_app
from server.settings import Settings
from tests.cli.serving import connect_admin_process, free_port
from tests.cli.serving import free_port as closed_port
from tests.cli.test_command_line import connect_admin
from tests.cli.test_mail_processes import environment

LISTENING = "Uvicorn running on"
KEY = {"CONNECT_SECRET_KEY": "a-key-for-the-tests-of-misconfiguration"}


def serve(tmp_path: Path, url: str, *args: str) -> tuple[int, str, str]:
    result = connect_admin(
        tmp_path, "serve", "--port", str(free_port()), *args,
        env={"CONNECT_DATABASE_URL": url, **KEY},
    )  # fmt: skip
    return result.returncode, result.stdout, result.stderr


def test_an_unsupported_database_is_named_with_the_supported_ones(tmp_path: Path) -> None:
    code, out, err = serve(tmp_path, "mysql://root@127.0.0.1/connect")
    assert code == 2
    assert "'mysql' is not supported" in err
    assert "sqlite:///" in err
    assert "postgresql://" in err
    assert "CONNECT_SECRET_KEY" not in err
    assert "Traceback" not in err
    assert "GraphiQL in a browser" not in out


def test_a_missing_sqlite_folder_is_named(tmp_path: Path) -> None:
    code, _out, err = serve(tmp_path, f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    assert code == 2
    assert f"the folder of the SQLite database does not exist: {tmp_path / 'missing-dir'}" in err
    assert "migrate" not in err
    assert "Traceback" not in err


def test_an_unreachable_database_is_exit_3(tmp_path: Path) -> None:
    url = f"postgresql://connect:pw-not-shown@127.0.0.1:{closed_port()}/connect"
    code, out, err = serve(tmp_path, url)
    assert code == 3
    assert "cannot reach the database at postgresql://connect:***@127.0.0.1" in err
    assert "pw-not-shown" not in err
    assert "Traceback" not in err
    assert "GraphiQL in a browser" not in out


@pytest.mark.postgres
def test_a_wrong_role_is_named(tmp_path: Path, empty_postgres: str) -> None:
    url = make_url(empty_postgres).set(username="no_such_role").render_as_string(False)
    code, _, err = serve(tmp_path, url)
    assert code == 2
    assert "refused the user 'no_such_role': wrong password, or no such role" in err


@pytest.mark.postgres
def test_a_missing_database_is_named(tmp_path: Path, empty_postgres: str) -> None:
    url = make_url(empty_postgres).set(database="no_such_database").render_as_string(False)
    code, _, err = serve(tmp_path, url)
    assert code == 2
    assert "has no database 'no_such_database'" in err


@pytest.mark.postgres
def test_an_unmigrated_database_is_not_served(tmp_path: Path, empty_postgres: str) -> None:
    code, out, err = serve(tmp_path, empty_postgres)
    assert code == 2
    assert f"has no tables of Connect Admin; this release needs revision {head_revision()}" in err
    assert "run 'connect-admin migrate'" in err
    assert "GraphiQL in a browser" not in out

    dispatch = connect_admin(
        tmp_path, "dispatch-mail", env={"CONNECT_DATABASE_URL": empty_postgres, **KEY}
    )
    assert dispatch.returncode == 2
    assert "run 'connect-admin migrate'" in dispatch.stderr


@pytest.mark.postgres
def test_a_database_behind_names_both_revisions(tmp_path: Path, empty_postgres: str) -> None:
    upgrade(empty_postgres, "0004")
    code, _, err = serve(tmp_path, empty_postgres)
    assert code == 2
    assert f"is at revision 0004; this release needs {head_revision()}" in err


@pytest.mark.postgres
def test_migrate_says_what_it_applied(tmp_path: Path, empty_postgres: str) -> None:
    env = {"CONNECT_DATABASE_URL": empty_postgres, **KEY}
    upgrade(empty_postgres, "0003")
    first = connect_admin(tmp_path, "migrate", env=env)
    assert first.returncode == 0, first.stderr
    assert "from revision 0003:" in first.stdout
    assert "0004  Audit events" in first.stdout
    assert f"  {head_revision()}  " in first.stdout
    assert "0002" not in first.stdout

    again = connect_admin(tmp_path, "migrate", env=env)
    assert again.stdout.startswith("Nothing to do: the database is at revision")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_taken_port_is_refused_before_anything_says_it_serves(
    tmp_path: Path, workers: str
) -> None:
    db = tmp_path / "connect-admin.db"
    port = free_port()
    with connect_admin_process(["serve", "--port", str(port)], environment(db), LISTENING):
        result = connect_admin(
            tmp_path, "serve", "--port", str(port), "--workers", workers,
            env={"CONNECT_DATABASE_URL": f"sqlite:///{db}"},
        )  # fmt: skip
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr
    assert "GraphiQL in a browser" not in result.stdout
    assert "startup complete" not in result.stderr


async def test_readyz_fails_while_the_database_is_behind(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'connect-admin.db'}"
    await asyncio.to_thread(upgrade, url, "0004")
    settings = Settings(database_url=url, secret_key="k", mail_dispatcher=False)  # type: ignore[call-arg]
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        behind = await client.get("/readyz")
        await asyncio.to_thread(upgrade, url)
        current = await client.get("/readyz")
    assert behind.status_code == 503
    assert behind.json()["reason"] == (
        f"database at revision 0004, this release needs {head_revision()} "
        "(run connect-admin migrate)"
    )
    assert current.status_code == 200


async def test_a_dispatcher_without_its_tables_logs_a_line_per_back_off(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = create_engine(url)
    settings = Settings(database_url=url, secret_key="k")  # type: ignore[call-arg]
    stop = asyncio.Event()
    failures: list[logging.LogRecord] = []

    class Counting(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            failures.append(record)
            if len(failures) == 4:
                stop.set()

    handler = Counting(logging.WARNING)
    logging.getLogger("connect_admin.mail").addHandler(handler)
    try:
        async with asyncio.timeout(60):
            await run_dispatcher(services_factory(engine, settings), stop, poll_seconds=0.001)
    finally:
        logging.getLogger("connect_admin.mail").removeHandler(handler)
        await engine.dispose()

    assert all(record.exc_info is None for record in failures)
    messages = [record.getMessage() for record in failures]
    assert all("no such table" in m for m in messages), messages
    assert [m.rsplit("retrying in ", 1)[1] for m in messages] == [
        "0.001 s", "0.002 s", "0.004 s", "0.008 s"
    ]  # fmt: skip

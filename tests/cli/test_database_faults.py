"""Database faults under traffic, against a running server: a SQLite file another
process holds locked, PostgreSQL connections terminated while requests wait on them.

Every answer is the documented SERVICE_UNAVAILABLE (HTTP 503, ``Retry-After``) as a
GraphQL error body, never SQL text and never a plain-text 500; the server logs an
ERROR line with the request id; and once the fault is gone the same requests
succeed again.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import make_url
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from persistence.migrate import upgrade
from tests.cli.serving import ROOT, Served, connect_admin_process, free_port
from tests.cli.test_mail_processes import database_environment

LISTENING = "Uvicorn running on"
PASSWORD = "Faults-admin-password-1"
SIGN_IN = 'mutation($p: String!) { adminSignIn(login: "root", password: $p) { token } }'
QUERY = "{ locations { name } }"
SQL_WORDS = ("SQL", "sqlite3", "INSERT", "UPDATE", "asyncpg", "OperationalError", "DBAPIError")


def create_admin(env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "connect_admin", "create-admin", "--login", "root",
         "--last-name", "Root", "--password-stdin"],
        cwd=ROOT, env=env, input=PASSWORD + "\n", capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def post(port: int, query: str, token: str | None = None, **variables: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(
        f"http://127.0.0.1:{port}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=60,
    )


def sign_in(port: int) -> str:
    token: str = post(port, SIGN_IN, p=PASSWORD).json()["data"]["adminSignIn"]["token"]
    return token


def assert_unavailable(response: httpx.Response, server: Served) -> None:
    """The documented 503, with nothing of the database's own words, and an ERROR log
    line under the answer's request id."""
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert int(response.headers["retry-after"]) >= 1
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE", error
    assert not any(word in response.text for word in SQL_WORDS), response.text
    request_id = response.headers["x-request-id"]
    server.wait_for(request_id)
    logged = [
        json.loads(line) for line in server.lines if request_id in line and line.startswith("{")
    ]
    assert any(line["level"] == "ERROR" for line in logged), logged
    assert all(line.get("request_id") in (request_id, None) for line in logged)


def subscription_errors(port: int, token: str) -> list[dict[str, Any]]:
    """The errors a ``resetProgress`` subscription gets, up to its ``complete``."""
    with connect(
        f"ws://127.0.0.1:{port}/graphql",
        subprotocols=[Subprotocol("graphql-transport-ws")],
        open_timeout=30,
    ) as ws:
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        ws.send(json.dumps(init))
        assert json.loads(ws.recv(30))["type"] == "connection_ack"
        query = 'subscription { resetProgress(operationId: "x") { done total } }'
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        errors: list[dict[str, Any]] = []
        while (message := json.loads(ws.recv(30)))["type"] != "complete":
            assert message["type"] in ("next", "error"), message
            payload = message["payload"]
            errors += payload if isinstance(payload, list) else payload.get("errors", [])
        return errors


def concurrently(*calls: Any) -> list[httpx.Response]:
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


# --- SQLite ------------------------------------------------------------------------------


@contextmanager
def sqlite_locked_by_another_process(db: Path) -> Iterator[None]:
    """``BEGIN EXCLUSIVE`` held by a second process until the block ends."""
    with subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys\n"
         f"c = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
         "c.execute('BEGIN EXCLUSIVE')\n"
         "print('locked', flush=True)\n"
         "sys.stdin.readline()\n"
         "c.execute('ROLLBACK')\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    ) as holder:  # fmt: skip
        assert holder.stdout is not None
        assert holder.stdin is not None
        try:
            assert holder.stdout.readline().strip() == "locked"
            yield
        finally:
            holder.stdin.write("\n")
            holder.stdin.flush()
            holder.wait(30)


def test_a_sqlite_file_locked_by_another_process_answers_503_then_recovers(
    tmp_path: Path,
) -> None:
    db = tmp_path / "connect-admin.db"
    port = free_port()
    # Every operation writes its budget: no reserve to pay from without the database.
    env = database_environment(f"sqlite:///{db}", CONNECT_COST_BUDGET_RESERVE="0")
    upgrade(f"sqlite:///{db}")
    create_admin(env)
    with connect_admin_process(["serve", "--port", str(port)], env, LISTENING) as server:
        token = sign_in(port)
        assert post(port, QUERY, token).status_code == 200
        with sqlite_locked_by_another_process(db):
            answers = concurrently(
                # The budget's write (the token's check only reads).
                lambda: post(port, QUERY, token),
                # The sign-in's failure record.
                lambda: post(port, SIGN_IN, p="wrong"),
                # A mutation's transaction.
                lambda: post(port, 'mutation { createLocation(input: {name: "Oslo"}) '
                             "{ location { id } errors { code } } }", token),
                # A subscription's budget, over the websocket.
                lambda: subscription_errors(port, token),
            )  # fmt: skip
        *responses, over_websocket = answers
        for answer in responses:
            assert_unavailable(answer, server)
        assert [e["extensions"]["code"] for e in over_websocket] == ["SERVICE_UNAVAILABLE"]
        assert not any(word in json.dumps(over_websocket) for word in SQL_WORDS)
        # The lock gone, the same requests succeed.
        assert post(port, QUERY, token).status_code == 200
        assert sign_in(port)


# --- PostgreSQL ----------------------------------------------------------------------------


def _dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


@pytest.fixture
def own_postgres_database(postgres_server_url: str) -> Iterator[str]:
    """A database of this test alone: its connections are terminated."""
    name = f"connect_faults_{uuid.uuid4().hex[:12]}"

    async def run(statement: str) -> None:
        connection = await asyncpg.connect(_dsn(postgres_server_url))
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _waiting_then_terminated(url: str, caller: str, port: int, token: str) -> list[Any]:
    """Holds the caller's budget row locked, sends requests that wait on it, terminates
    the server's connections once they all wait, and returns the answers."""
    database = make_url(url).database
    holder = await asyncpg.connect(_dsn(url))
    # Outside the holder's transaction, which would see one snapshot of the statistics.
    watcher = await asyncpg.connect(_dsn(url))
    try:
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute("SELECT 1 FROM cost_budgets WHERE caller = $1 FOR UPDATE", caller)
        loop = asyncio.get_running_loop()
        requests = [loop.run_in_executor(None, post, port, QUERY, token) for _ in range(3)]
        others = "datname = $1 AND pid <> pg_backend_pid() AND pid <> $2"
        # Until the server's connections wait for the row lock (each poll a round trip).
        waiting = 0
        while waiting < len(requests):
            waiting = await watcher.fetchval(
                f"SELECT count(*) FROM pg_stat_activity WHERE {others} "
                "AND wait_event_type = 'Lock'",
                database,
                holder.get_server_pid(),
            )
        await watcher.execute(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {others}",
            database,
            holder.get_server_pid(),
        )
        answers = await asyncio.gather(*requests)
        await transaction.rollback()
    finally:
        await watcher.close()
        await holder.close()
    return answers


def test_postgresql_connections_terminated_under_traffic_answer_503_then_recover(
    own_postgres_database: str,
) -> None:
    url = own_postgres_database
    port = free_port()
    env = database_environment(
        url, CONNECT_COST_BUDGET_RESERVE="0", CONNECT_SECRET_KEY=Fernet.generate_key().decode()
    )
    upgrade(url)
    create_admin(env)
    with connect_admin_process(["serve", "--port", str(port)], env, LISTENING) as server:
        token = sign_in(port)
        assert post(port, QUERY, token).status_code == 200
        answers = asyncio.run(_waiting_then_terminated(url, "administrator:1", port, token))
        for answer in answers:
            assert_unavailable(answer, server)
        # The pool replaces the terminated connections: the next requests are served.
        assert post(port, QUERY, token).status_code == 200
        assert sign_in(port)

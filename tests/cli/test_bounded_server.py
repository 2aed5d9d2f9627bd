"""A real server process against hostile and unlucky callers: slow bodies, file modes."""

from __future__ import annotations

import socket
import stat
from pathlib import Path

import httpx

from tests.cli.serving import connect_admin_process, free_port
from tests.cli.test_mail_processes import environment

# Printed once the socket listens ("Application startup complete" comes before).
LISTENING = "Uvicorn running on"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_files_are_the_owners_alone(tmp_path: Path) -> None:
    db = tmp_path / "connect-admin.db"
    port = free_port()
    # The usual umask, with which SQLite would make its files readable by everyone.
    with connect_admin_process(
        ["serve", "--port", str(port)], environment(db), LISTENING, umask=0o022
    ) as _server:
        response = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": 'mutation { adminSignIn(login: "x", password: "y") { token } }'},
        )
        assert response.status_code == 200
        files = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
        assert all(f.exists() for f in files), list(tmp_path.iterdir())
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}


def test_files_left_readable_by_an_earlier_release_are_tightened(tmp_path: Path) -> None:
    db = tmp_path / "connect-admin.db"
    port = free_port()
    with connect_admin_process(["serve", "--port", str(port)], environment(db), LISTENING):
        pass
    for path in tmp_path.glob("connect-admin.db*"):
        path.chmod(0o644)

    with connect_admin_process(["serve", "--port", str(port)], environment(db), LISTENING):
        assert mode(db) == 0o600


def test_connections_trickling_their_bodies_are_answered_408_and_closed(
    tmp_path: Path,
) -> None:
    db = tmp_path / "connect-admin.db"
    port = free_port()
    env = environment(db, CONNECT_BODY_TIMEOUT_SECONDS="1")
    with connect_admin_process(["serve", "--port", str(port)], env, LISTENING):
        trickling = []
        for _ in range(20):
            connection = socket.create_connection(("127.0.0.1", port), timeout=30)
            connection.sendall(
                b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
            )
            trickling.append(connection)

        for connection in trickling:
            with connection:
                received = b""
                # Until the server closes the connection (bounded by the socket's timeout).
                while chunk := connection.recv(4096):
                    received += chunk
                assert received.startswith(b"HTTP/1.1 408 "), received
                assert b"REQUEST_TIMEOUT" in received

        # The server still serves everyone else.
        response = httpx.get(f"http://127.0.0.1:{port}/healthz")
        assert response.status_code == 200

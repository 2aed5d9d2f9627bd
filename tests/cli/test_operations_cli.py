"""``serve --workers N`` as a real process; CONNECT_LOG_LEVEL."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pydantic
import pytest

from server.commandline.cli import main
from server.settings import Settings
from tests.cli.serving import STARTED, Served, free_port

PASSWORD = "Never-In-The-Log!1"


def serve_two_workers(tmp_path: Path, port: int) -> Served:
    """``connect-admin serve --workers 2`` on a SQLite file, its JSON log lines watched."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}
    env["CONNECT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'connect-admin.db'}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "connect_admin", "serve", "--port", str(port), "--workers", "2"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    return Served(proc)


def test_serve_with_two_workers_answers_and_logs_json(tmp_path: Path) -> None:
    port = free_port()
    server = serve_two_workers(tmp_path, port)
    try:
        # Each worker process starts its own app.
        server.wait_for(STARTED, count=2)
        base = f"http://127.0.0.1:{port}"
        health = httpx.get(f"{base}/healthz", timeout=30)
        ready = httpx.get(f"{base}/readyz", timeout=30)
        sign_in = httpx.post(
            f"{base}/graphql",
            json={
                "query": "mutation SignIn($p: String!) "
                '{ adminSignIn(login: "nobody", password: $p) { token errors { code } } }',
                "variables": {"p": PASSWORD},
            },
            timeout=30,
        )
        server.wait_for('"operation_name": "SignIn"')
    finally:
        server.stop()

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert ready.status_code == 200
    assert sign_in.json()["data"]["adminSignIn"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]
    lines: list[dict[str, Any]] = [json.loads(line) for line in server.lines if line.strip()]
    assert len({line["pid"] for line in lines if STARTED in line["message"]}) == 2
    assert any(line["level"] == "WARNING" and "SQLite" in line["message"] for line in lines), (
        server.lines
    )
    [access] = [line for line in lines if line["logger"] == "connect_admin.access"]
    assert access | {"principal": "anonymous", "outcome": "errors"} == access
    assert access["payload_error_codes"] == ["INVALID_CREDENTIALS"]
    assert PASSWORD not in "".join(server.lines)


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(int(target[8:-1]))
    return inodes


def _tcp_sockets(port: int) -> dict[int, str]:
    """Inode -> state ("0A" listening, "01" established) of the sockets on this local port."""
    found = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port:
            found[int(fields[9])] = fields[3]
    return found


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _started(pid: int, server: Served) -> bool:
    return any(STARTED in line and f'"pid": {pid}' in line for line in server.lines)


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc")
def test_each_worker_listens_on_its_own_and_a_burst_of_connections_reaches_both(
    tmp_path: Path,
) -> None:
    port = free_port()
    server = serve_two_workers(tmp_path, port)
    clients: list[socket.socket] = []
    try:
        server.wait_for(STARTED, count=2)
        workers = [pid for pid in _children(server.proc.pid) if _started(pid, server)]
        assert len(workers) == 2, server.lines
        # 16 connections at once, as a load balancer filling its pool opens them.
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(16)]

        def held(state: str) -> dict[int, set[int]]:
            tcp = _tcp_sockets(port)
            return {pid: {i for i in _socket_inodes(pid) if tcp.get(i) == state} for pid in workers}

        deadline = time.monotonic() + 30  # the workers accept: a bound, not a pause
        while sum(map(len, held("01").values())) < 16:
            assert time.monotonic() < deadline, held("01")
            time.sleep(0.05)
        connections, listening = held("01"), held("0A")
        parent = {i for i in _socket_inodes(server.proc.pid) if _tcp_sockets(port).get(i) == "0A"}
    finally:
        for client in clients:
            client.close()
        server.stop()

    first, second = listening.values()
    assert len(first) == len(second) == 1
    assert first != second  # a socket each, not one shared
    assert parent == set()  # a dead worker's socket does not live on in the parent
    # The kernel spreads them: all 16 on one worker has a chance of 2 in 65,536.
    assert all(connections.values()), connections


def test_a_second_server_on_the_same_port_is_refused(tmp_path: Path) -> None:
    port = free_port()
    server = serve_two_workers(tmp_path, port)
    try:
        server.wait_for(STARTED, count=2)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}
        env["CONNECT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'second.db'}"
        second = subprocess.run(
            [sys.executable, "-m", "connect_admin", "serve", "--port", str(port),
             "--workers", "2"],
            env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
            check=False,
        )  # fmt: skip
    finally:
        server.stop()
    # A configuration error: another port must be chosen.
    assert second.returncode == 2
    assert "Address already in use" in second.stderr


def test_serve_refuses_any_free_port_for_several_workers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["serve", "--port", "0", "--workers", "2"]) == 2
    assert "--port 0" in capsys.readouterr().err


def test_log_level_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECT_LOG_LEVEL", "debug")
    assert Settings().log_level == "DEBUG"
    monkeypatch.delenv("CONNECT_LOG_LEVEL")
    assert Settings().log_level == "INFO"
    monkeypatch.setenv("CONNECT_LOG_LEVEL", "chatty")
    with pytest.raises(pydantic.ValidationError):
        Settings()


def test_serve_refuses_zero_workers(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--workers", "0"])
    assert exit_.value.code == 2
    assert "must be 1 or more" in capsys.readouterr().err

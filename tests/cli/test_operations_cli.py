"""``serve --workers N`` as a real process; CONNECT_LOG_LEVEL."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pydantic
import pytest

from connect_admin.server.cli import main
from connect_admin.server.settings import Settings

STARTED = "Application startup complete"
PASSWORD = "Never-In-The-Log!1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class StderrWatcher:
    """Reads a process's stderr in a thread; lets the test wait for lines."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, text: str, count: int = 1, timeout: float = 60) -> None:
        def enough() -> bool:
            return sum(text in line for line in self.lines) >= count

        with self._changed:
            found = self._changed.wait_for(
                lambda: enough() or self.proc.poll() is not None, timeout
            )
            assert found, "".join(self.lines)
            assert enough(), "".join(self.lines)

    def join(self) -> None:
        self._thread.join(30)


def test_serve_with_two_workers_answers_and_logs_json(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}
    env["CONNECT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'connect-admin.db'}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "connect_admin", "serve", "--port", str(port), "--workers", "2"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    watcher = StderrWatcher(proc)
    try:
        # Each worker process starts its own app.
        watcher.wait_for(STARTED, count=2)
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
        watcher.wait_for('"operation_name": "SignIn"')
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the server and its workers
            proc.wait(30)
        watcher.join()
        assert proc.stderr is not None
        proc.stderr.close()

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert ready.status_code == 200
    assert sign_in.json()["data"]["adminSignIn"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]
    lines: list[dict[str, Any]] = [json.loads(line) for line in watcher.lines if line.strip()]
    assert len({line["pid"] for line in lines if STARTED in line["message"]}) == 2
    assert any(line["level"] == "WARNING" and "SQLite" in line["message"] for line in lines), (
        watcher.lines
    )
    [access] = [line for line in lines if line["logger"] == "connect_admin.access"]
    assert access | {"principal": "anonymous", "outcome": "errors"} == access
    assert access["payload_error_codes"] == ["INVALID_CREDENTIALS"]
    assert PASSWORD not in "".join(watcher.lines)


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

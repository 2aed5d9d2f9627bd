"""A server process started by a test: waits on its log for readiness, stops it by SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

STARTED = "Application startup complete"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Served:
    """A running process whose stderr (merged with stdout) is read in a thread."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def output(self) -> str:
        with self._changed:
            return "".join(self.lines)

    def wait_until_started(self, timeout: float = 60) -> None:
        """Until uvicorn says the application started; fails when the process ends first."""
        with self._changed:
            self._changed.wait_for(
                lambda: any(STARTED in line for line in self.lines) or self.proc.poll() is not None,
                timeout,
            )
            started = any(STARTED in line for line in self.lines)
        assert started, self.output

    def stop(self) -> int:
        """SIGTERM, then the exit code (the process group is killed if it does not end)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            code = self.proc.wait(30)
        self._thread.join(30)
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        return code


@contextmanager
def served(args: Sequence[str], cwd: Path, env: Mapping[str, str]) -> Iterator[Served]:
    """Starts the command, yields it; stops it at the end of the block."""
    proc = subprocess.Popen(
        list(args), cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    process = Served(proc)
    try:
        yield process
    finally:
        process.stop()

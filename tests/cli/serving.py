"""A server process started by a test: waits on its log for readiness, stops it by SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

STARTED = "Application startup complete"
# Logged by a one-worker server once its port is bound.
LISTENING = "Uvicorn running on"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Served:
    """A running process whose log (stdout, or stderr when stdout is not piped) is read
    in a thread; the test waits for lines."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        stream = proc.stdout if proc.stdout is not None else proc.stderr
        assert stream is not None
        self._stream = stream
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        for line in self._stream:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def output(self) -> str:
        with self._changed:
            return "".join(self.lines)

    def wait_for(self, text: str, count: int = 1, timeout: float = 60) -> None:
        """Until ``text`` stood in ``count`` lines; fails when the process ends first."""

        def enough() -> bool:
            return sum(text in line for line in self.lines) >= count

        with self._changed:
            self._changed.wait_for(lambda: enough() or self.proc.poll() is not None, timeout)
            seen = enough()
        assert seen, self.output

    def wait_until_started(self, timeout: float = 60) -> None:
        """Until a one-worker server listens; fails, with its log, when the process ends
        first (see ``wait_until_listening``)."""
        assert self.wait_until_listening(timeout), self.output

    def wait_until_listening(self, timeout: float = 60) -> bool:
        """Until a one-worker server listens (uvicorn binds its port after the
        application started); False when the process ended first: the port was taken
        meanwhile, say, by another process of a parallel test run."""
        with self._changed:
            self._changed.wait_for(
                lambda: (
                    any(LISTENING in line for line in self.lines) or self.proc.poll() is not None
                ),
                timeout,
            )
            return any(LISTENING in line for line in self.lines)

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
        self._stream.close()
        return code


@contextmanager
def served(
    args: Sequence[str], cwd: Path, env: Mapping[str, str], umask: int = -1
) -> Iterator[Served]:
    """Starts the command, yields it; stops it at the end of the block."""
    proc = subprocess.Popen(
        list(args), cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        umask=umask,
    )  # fmt: skip
    process = Served(proc)
    try:
        yield process
    finally:
        process.stop()


@contextmanager
def connect_admin_process(
    args: Sequence[str], env: Mapping[str, str], ready: str, umask: int = -1
) -> Iterator[Served]:
    """``connect-admin ARGS`` until the block ends, once ``ready`` stood in its log."""
    with served([sys.executable, "-m", "connect_admin", *args], ROOT, env, umask) as running:
        running.wait_for(ready)
        yield running

"""The processes of a run: the servers under test (:class:`Server`) and what /proc
says about them (CPU time, memory, children, PostgreSQL's backends)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
# uvicorn logs it once per worker process, when its app has started (bench/serve.py).
STARTUP_COMPLETE = "Application startup complete"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def proc_status(pid: int) -> dict[str, int]:
    """VmHWM / VmRSS in KiB from /proc."""
    found: dict[str, int] = {}
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                found[key] = int(value.split()[0])
    return found


def proc_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time of the whole machine spent on anything but idling, all cores."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
    # uvicorn's worker processes, not multiprocessing's resource tracker.
    workers = []
    for child in found:
        with contextlib.suppress(OSError), open(f"/proc/{child}/cmdline", "rb") as f:
            if b"resource_tracker" not in f.read():
                workers.append(child)
    return workers


class Server:
    """One ``python -m bench.serve`` process, stopped with SIGINT (then SIGKILL)."""

    def __init__(
        self, which: str, env: dict[str, str], workdir: Path, *, workers: int = 1,
        profile_to: Path | None = None, command: Callable[[int], list[str]] | None = None,
    ) -> None:  # fmt: skip
        """``command``: another server's command line for a port (the peer)."""
        self.which = which
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/graphql"
        self.log_path = workdir / f"{which}-{self.port}.log"
        cmd = [PY]
        if profile_to is not None:
            cmd += ["-m", "cProfile", "-o", str(profile_to)]
        cmd += ["-m", "bench.serve", which, "--port", str(self.port), "--workers", str(workers)]
        if command is not None:
            cmd = command(self.port)
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            cmd, env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.which} server exited; see {self.log_path}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5),
            ):
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.which} server not ready after {timeout} s")

    def wait_workers(self, count: int, timeout: float = 60) -> list[int]:
        """The pids of the worker processes, once all ``count`` serve: a worker still
        starting accepts no connection, and the others would take its share."""
        deadline = time.monotonic() + timeout
        while self.log_path.read_text().count(STARTUP_COMPLETE) < count:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"{count} workers did not start; see {self.log_path}")
            time.sleep(0.1)
        return children(self.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


def postgres_cpu(database: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend of ``database`` on this machine, by pid
    (found by their process title: ``postgres: [cluster:] user database host(port) …``)."""
    found: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                title = f.read().replace(b"\0", b" ").decode(errors="replace").split()
            if title[:1] == ["postgres:"] and database in title[1:5]:
                found[int(entry)] = proc_cpu_seconds(int(entry))
    return found


def wait_idle(pids: list[int], limit: float = 60) -> float:
    """Waits (at most ``limit`` s) until the processes used < 5 % CPU over 0.5 s."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        c0 = sum(proc_cpu_seconds(p) for p in pids)
        time.sleep(0.5)
        if sum(proc_cpu_seconds(p) for p in pids) - c0 < 0.025 * len(pids):
            break
    return time.monotonic() - started

"""The load: wrk POSTing a cycle of bodies (a Lua script), warm-up, then a bounded
measurement with the CPU and memory of the servers and of PostgreSQL beside."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from bench.model import Profile
from bench.processes import (
    Server,
    machine_busy_seconds,
    postgres_cpu,
    proc_cpu_seconds,
    proc_status,
    wait_idle,
)

LUA = """
local bodies = {
%(bodies)s
}
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
request = function()
  i = i %% #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_JSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"socket_errors\\": %%d, "
    .. "\\"status_errors\\": %%d, \\"p50_ms\\": %%.3f, \\"p99_ms\\": %%.3f, "
    .. "\\"max_ms\\": %%.3f}\\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
"""


def write_lua(path: Path, bodies: list[str], token: str) -> None:
    quoted = ",\n".join(f"[==[{b}]==]" for b in bodies)
    path.write_text(LUA % {"bodies": quoted, "token": token})


def wrk(url: str, script: Path, seconds: float, connections: int) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed for the load: apt-get install -y wrk")
    cmd = [
        "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "30s",
        "-s", str(script), url,
    ]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    for line in out.splitlines():
        if line.startswith("BENCH_JSON "):
            data: dict[str, Any] = json.loads(line.removeprefix("BENCH_JSON "))
            data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
            return data
    raise RuntimeError(f"wrk gave no summary:\n{out}")


def measure_load(
    server: Server,
    script: Path,
    profile: Profile,
    pids: list[int] | None = None,
    page_ms: float = 0.0,
    database: str | None = None,
) -> dict[str, Any]:
    """Warm-up, then a bounded measurement; server CPU use and peak RSS beside, and
    the CPU of the PostgreSQL backends of ``database`` (PostgreSQL on this machine).

    The window is at least three rounds of all connections at ``page_ms`` (capped
    at 60 s), or a slow server would complete nothing inside it.
    """
    window = min(60.0, max(profile.duration, 3 * profile.connections * page_ms / 1000))
    watched = pids or [server.pid]
    wrk(server.url, script, profile.warmup, profile.connections)
    # wrk drops its connections at the end, but the server finishes what it started:
    # wait until it is idle so the measurement does not pay for the warm-up.
    result_idle = wait_idle(watched)

    each0 = [proc_cpu_seconds(p) for p in watched]
    pg0 = postgres_cpu(database) if database else {}
    busy0 = machine_busy_seconds()
    result = wrk(server.url, script, window, profile.connections)
    result["window_s"] = window
    each1 = [proc_cpu_seconds(p) for p in watched]
    pg1 = postgres_cpu(database) if database else {}
    if pg1:
        # Pools keep their connections: a backend that ended inside the window is rare.
        pg = sum(cpu - pg0.get(pid, 0.0) for pid, cpu in pg1.items())
        result["pg_cpu_ms_per_req"] = 1000 * pg / max(1, result["requests"])
    cpu0, cpu1 = sum(each0), sum(each1)
    # Per worker: an idle one shows connections that all went to the other.
    result["server_cpu_pct_each"] = [
        100 * (b - a) / (result["duration_us"] / 1e6) for a, b in zip(each0, each1, strict=True)
    ]
    # The server, PostgreSQL, wrk and the rest share the cores: how many were busy.
    result["machine_busy_cores"] = (machine_busy_seconds() - busy0) / (result["duration_us"] / 1e6)
    result["server_cpu_pct"] = 100 * (cpu1 - cpu0) / (result["duration_us"] / 1e6)
    result["server_cpu_ms_per_req"] = 1000 * (cpu1 - cpu0) / max(1, result["requests"])
    hwm = [proc_status(p).get("VmHWM", 0) for p in watched]
    result["peak_rss_mb"] = max(hwm) / 1024
    result["idle_wait_s"] = result_idle
    wait_idle(watched)
    return result

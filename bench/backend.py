"""One backend's run, step by step: the database and the SMTP sink, the servers, the
read path beside the baseline and PostGraphile, the SPA's screens, hostile callers,
the writes and the scale-out; every process it started stopped at its end."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import statistics
import subprocess
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import make_url

from bench import hostile, noncompiled, peer, spa
from bench import seed as seeding
from bench.database import make_database, migrate_and_seed, prepare
from bench.measure import measure_load, write_lua
from bench.model import Profile, Result, log
from bench.processes import PY, ROOT, Server, free_port, proc_status, wait_idle
from bench.reads import (
    check_same,
    measure_scaling,
    page_bodies,
    page_starts,
    sign_in,
    spa_documents,
    statements_per_page,
)
from bench.writes import measure_writes


@dataclass
class _Backend:
    """One backend's run: what its steps share, and the processes to stop at its end."""

    kind: str
    profile: Profile
    args: argparse.Namespace
    workdir: Path
    url: str
    key: str
    result: Result
    servers: list[Server] = field(default_factory=list)
    sink: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)
    token: str = ""

    @property
    def pg_database(self) -> str | None:
        """The database whose PostgreSQL backends' CPU is measured (None on SQLite)."""
        return make_url(self.url).database if self.kind == "postgresql" else None

    def started(self, server: Server) -> Server:
        self.servers.append(server)
        return server

    def stop(self, server: Server) -> None:
        server.stop()
        self.servers.remove(server)


@dataclass
class _Pages:
    """The read path's users pages, checked: their wrk scripts (ours, the peer's), the
    peer while it serves, and ms per page of ours in-process."""

    script: Path
    peer_script: Path
    peer_server: Server | None
    page_ms: float


def run_backend(kind: str, profile: Profile, args: argparse.Namespace, workdir: Path) -> Result:
    key = Fernet.generate_key().decode()
    url, drop = make_database(kind, workdir, args.postgres_url)
    run = _Backend(kind, profile, args, workdir, url, key, Result(kind))
    try:
        _measure(run)
    except Exception as error:
        traceback.print_exc()
        run.result.notes.append(f"stopped early: {type(error).__name__}: {error}")
        run.result.rows["stopped_early"] = f"the run stopped early: {type(error).__name__}: {error}"
    finally:
        for server in run.servers:
            server.stop()
        if run.sink is not None:
            _stop_sink(run.sink)
        if not args.keep:
            drop()
    return run.result


def _measure(run: _Backend) -> None:
    args, result = run.args, run.result
    seeded = _set_up(run)
    sink_stats = _start_sink(run)
    run.env = _server_env(run)
    # The peer (PostGraphile) runs on PostgreSQL only: SQLite never installs it.
    with_peer = run.kind == "postgresql" and not args.spa_only
    peer_server = peer.start(run.url, run.env, run.workdir, result) if with_peer else None
    if peer_server is not None:
        run.started(peer_server)
    ours = run.started(Server("ours", run.env, run.workdir))
    base = run.started(Server("baseline", run.env, run.workdir))
    ours.wait_ready()
    base.wait_ready()
    run.token = asyncio.run(sign_in(ours.url))
    if args.spa_only:
        _spa_mix(run, ours)
        result.rows["scope"] = "--spa-only measures the SPA mix only"
        return
    rng = random.Random(7)
    pages = _check_pages(run, ours, base, peer_server, seeded, rng)
    if not args.read_only:
        noncompiled.measure(
            result, run.kind, run.profile, seeded, run.token, ours, run.env, pages.script,
            run.workdir,
        )  # fmt: skip
    if args.non_compiled_only:
        result.rows["scope"] = "--non-compiled-only measures the non-compiled path only"
        return
    _read_path(run, ours, base, pages, seeded)
    if args.read_only:
        result.rows["scope"] = "--read-only measures the read path only"
        return
    _screens_and_hostile(run, ours)
    measure_writes(
        run.url, run.key, ours.url, run.token, seeded, rng, sink_stats, run.profile, run.kind,
        result.rows,
    )  # fmt: skip
    if run.kind == "postgresql" or args.scale_out_sqlite:
        _scale_out(run, ours, pages)


def _set_up(run: _Backend) -> seeding.Seeded:
    """The database migrated and seeded."""
    seeded, run.result.rows["setup"] = migrate_and_seed(run.url, run.profile.size)
    setup = run.result.rows["setup"]
    log(
        f"{run.kind}: migrated in {setup['migrate_s']:.1f} s, "
        f"seeded {seeded.counts} in {setup['seed_s']:.1f} s"
    )
    return seeded


def _server_env(run: _Backend) -> dict[str, str]:
    """The servers' environment. The cost budget refills faster than one token's load
    spends it: its statement is measured on every request, its refusals never come."""
    return {**os.environ, "CONNECT_DATABASE_URL": run.url, "CONNECT_SECRET_KEY": run.key,
            "CONNECT_MAIL_DISPATCHER": "false", "PYTHONPATH": str(ROOT),
            "CONNECT_COST_BUDGET_REFILL_PER_SECOND": "1e9"}  # fmt: skip


def _start_sink(run: _Backend) -> Path:
    """The SMTP sink, and the gateway and token of the servers to come; its stats file."""
    sink_port = free_port()
    sink_stats = run.workdir / f"sink-{run.kind}.txt"
    run.sink = subprocess.Popen(
        [PY, "-m", "bench.smtp_sink", "--port", str(sink_port), "--stats", str(sink_stats)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(run.workdir / "sink.log", "a"),
    )  # fmt: skip
    asyncio.run(prepare(run.url, run.key, sink_port))
    return sink_stats


def _stop_sink(sink: subprocess.Popen[bytes]) -> None:
    sink.send_signal(signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        sink.wait(timeout=5)
    if sink.poll() is None:
        sink.kill()


def _check_pages(
    run: _Backend, ours: Server, base: Server, peer_server: Server | None,
    seeded: seeding.Seeded, rng: random.Random,
) -> _Pages:  # fmt: skip
    """The users pages: ours answers as the baseline (and the peer, stopped if its
    answers are unusable); statements per page and the profile, in-process."""
    result, token = run.result, run.token
    starts = page_starts(seeded.user_ids, run.profile.pages, rng)
    bodies = page_bodies(starts)
    result.rows["same_json"] = asyncio.run(check_same(ours.url, base.url, token, bodies))
    script = run.workdir / f"pages-{run.kind}.lua"
    write_lua(script, bodies, token)
    peer_script = run.workdir / f"peer-{run.kind}.lua"
    if peer_server is not None and not peer.check_pages(
        peer_server, ours.url, token, starts, bodies, peer_script, result
    ):
        run.stop(peer_server)
        peer_server = None
    result.rows["per_page"] = asyncio.run(
        statements_per_page(run.url, run.key, token, bodies, profile=run.args.profile)
    )
    result.hotspots = result.rows["per_page"].pop("hotspots", "")
    return _Pages(script, peer_script, peer_server, result.rows["per_page"]["request_ms"])


def _read_path(
    run: _Backend, ours: Server, base: Server, pages: _Pages, seeded: seeding.Seeded
) -> None:
    """The users page under load: ours, the baseline, the scaling pages, the peer."""
    kind, profile, rows, database = run.kind, run.profile, run.result.rows, run.pg_database
    log(f"{kind}: read path, ours (1 worker)")
    rows["load_before"] = os.getloadavg()
    rows["read_ours"] = measure_load(
        ours, pages.script, profile, page_ms=pages.page_ms, database=database
    )
    log(f"{kind}: read path, baseline")
    rows["read_base"] = measure_load(base, pages.script, profile, database=database)
    run.stop(base)
    log(f"{kind}: the users page with {profile.size.users} users, searched and not")
    rows["scaling"] = measure_scaling(
        run.url, run.key, run.token, ours, seeded, profile, run.workdir, database
    )
    if pages.peer_server is not None:
        log(f"{kind}: read path, PostGraphile")
        peer.load(pages.peer_server, pages.peer_script, profile, database, run.result)
        run.stop(pages.peer_server)


def _spa_mix(run: _Backend, ours: Server) -> None:
    """The Web Administration's screens: per screen in-process, then the mix under load."""
    kind, profile, result, token = run.kind, run.profile, run.result, run.token
    log(f"{kind}: the Web Administration's screens (SPA mix)")
    mix = asyncio.run(spa.mix_bodies(ours.url, token, rounds=profile.pages // 4))
    result.rows["spa_documents"] = asyncio.run(spa_documents(run.url, run.key, token, mix))
    mix_script = run.workdir / f"spa-{kind}.lua"
    write_lua(mix_script, [body for _, body in mix], token)
    mix_ms = statistics.mean(d["ms"] for d in result.rows["spa_documents"].values())
    result.rows["spa_mix"] = measure_load(ours, mix_script, profile, page_ms=mix_ms)


def _screens_and_hostile(run: _Backend, ours: Server) -> None:
    """The Web Administration's screens, then hostile callers."""
    _spa_mix(run, ours)
    log(f"{run.kind}: hostile callers, {run.profile.duration:.0f} s")
    run.result.rows["hostile"] = asyncio.run(
        hostile.hostile_benchmark(
            ours.url,
            sign_in=lambda: sign_in(ours.url),
            rss_kib=lambda: proc_status(ours.pid).get("VmRSS", 0),
            wait_idle=lambda: asyncio.to_thread(wait_idle, [ours.pid]),
            seconds=run.profile.duration,
        )
    )


def _scale_out(run: _Backend, ours: Server, pages: _Pages) -> None:
    """The read load against 2 workers, once both serve."""
    run.stop(ours)
    log(f"{run.kind}: scale-out, 2 workers")
    two = run.started(Server("ours", run.env, run.workdir, workers=2))
    two.wait_ready()
    pids = two.wait_workers(2)
    run.result.rows["read_two"] = measure_load(
        two, pages.script, run.profile, pids=pids, page_ms=pages.page_ms / 2
    )
    run.result.rows["read_two"]["workers_seen"] = len(pids)

"""Connect Admin benchmarks: ``python -m bench [--quick] [--database sqlite|postgresql|both]``.

Builds a throwaway database per backend (the project's migrations, then a
deterministic bulk seed), runs every benchmark and prints one table. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet

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
from bench.report import report
from bench.writes import (
    RESET_STATEMENT_SIZES,
    hash_seconds,
    hash_seconds_all_cores,
    mail_benchmark,
    reset_benchmark,
    statements_per_reset,
)

# --------------------------------------------------------------------------- one backend


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

    def started(self, server: Server) -> Server:
        self.servers.append(server)
        return server

    def stop(self, server: Server) -> None:
        server.stop()
        self.servers.remove(server)


def run_backend(kind: str, profile: Profile, args: argparse.Namespace, workdir: Path) -> Result:
    key = Fernet.generate_key().decode()
    url, drop = make_database(kind, workdir, args.postgres_url)
    run = _Backend(kind, profile, args, workdir, url, key, Result(kind))
    try:
        _measure(run)
    except Exception as error:
        import traceback

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
    from sqlalchemy import make_url

    kind, profile, args, workdir, result = (
        run.kind, run.profile, run.args, run.workdir, run.result
    )  # fmt: skip
    pg_database = make_url(run.url).database if kind == "postgresql" else None
    seeded = _set_up(run)
    sink_stats = _start_sink(run)
    # The cost budget refills faster than one token's load spends it: its statement
    # is measured on every request, its refusals never come.
    env = {**os.environ, "CONNECT_DATABASE_URL": run.url, "CONNECT_SECRET_KEY": run.key,
           "CONNECT_MAIL_DISPATCHER": "false", "PYTHONPATH": str(ROOT),
           "CONNECT_COST_BUDGET_REFILL_PER_SECOND": "1e9"}  # fmt: skip
    # The peer (PostGraphile) runs on PostgreSQL only: SQLite never installs it.
    with_peer = kind == "postgresql" and not args.spa_only
    peer_server = peer.start(run.url, env, workdir, result) if with_peer else None
    if peer_server is not None:
        run.started(peer_server)
    ours = run.started(Server("ours", env, workdir))
    base = run.started(Server("baseline", env, workdir))
    ours.wait_ready()
    base.wait_ready()
    token = asyncio.run(sign_in(ours.url))
    if args.spa_only:
        _spa_mix(run, ours, token)
        result.rows["scope"] = "--spa-only measures the SPA mix only"
        return

    rng = random.Random(7)
    starts = page_starts(seeded.user_ids, profile.pages, rng)
    bodies = page_bodies(starts)
    result.rows["same_json"] = asyncio.run(check_same(ours.url, base.url, token, bodies))
    script = workdir / f"pages-{kind}.lua"
    write_lua(script, bodies, token)
    peer_script = workdir / f"peer-{kind}.lua"
    if peer_server is not None and not peer.check_pages(
        peer_server, ours.url, token, starts, bodies, peer_script, result
    ):
        run.stop(peer_server)
        peer_server = None
    result.rows["per_page"] = asyncio.run(
        statements_per_page(run.url, run.key, token, bodies, profile=args.profile)
    )
    result.hotspots = result.rows["per_page"].pop("hotspots", "")

    page_ms = result.rows["per_page"]["request_ms"]
    if not args.read_only:
        noncompiled.measure(result, kind, profile, seeded, token, ours, env, script, workdir)
    if args.non_compiled_only:
        result.rows["scope"] = "--non-compiled-only measures the non-compiled path only"
        return

    log(f"{kind}: read path, ours (1 worker)")
    result.rows["load_before"] = os.getloadavg()
    result.rows["read_ours"] = measure_load(
        ours, script, profile, page_ms=page_ms, database=pg_database
    )
    log(f"{kind}: read path, baseline")
    result.rows["read_base"] = measure_load(base, script, profile, database=pg_database)
    run.stop(base)
    log(f"{kind}: the users page with {profile.size.users} users, searched and not")
    result.rows["scaling"] = measure_scaling(
        run.url, run.key, token, ours, seeded, profile, workdir, pg_database
    )
    if peer_server is not None:
        log(f"{kind}: read path, PostGraphile")
        peer.load(peer_server, peer_script, profile, pg_database, result)
        run.stop(peer_server)
    if args.read_only:
        result.rows["scope"] = "--read-only measures the read path only"
        return

    _screens_and_hostile(run, ours, token)
    _writes(run, ours, token, seeded, rng, sink_stats)
    if kind == "postgresql" or args.scale_out_sqlite:
        run.stop(ours)
        log(f"{kind}: scale-out, 2 workers")
        two = run.started(Server("ours", env, workdir, workers=2))
        two.wait_ready()
        pids = two.wait_workers(2)
        result.rows["read_two"] = measure_load(two, script, profile, pids=pids, page_ms=page_ms / 2)
        result.rows["read_two"]["workers_seen"] = len(pids)


def _set_up(run: _Backend) -> seeding.Seeded:
    """The database migrated and seeded."""
    seeded, run.result.rows["setup"] = migrate_and_seed(run.url, run.profile.size)
    setup = run.result.rows["setup"]
    log(
        f"{run.kind}: migrated in {setup['migrate_s']:.1f} s, "
        f"seeded {seeded.counts} in {setup['seed_s']:.1f} s"
    )
    return seeded


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


def _spa_mix(run: _Backend, ours: Server, token: str) -> None:
    """The Web Administration's screens: per screen in-process, then the mix under load."""
    kind, profile, result = run.kind, run.profile, run.result
    log(f"{kind}: the Web Administration's screens (SPA mix)")
    mix = asyncio.run(spa.mix_bodies(ours.url, token, rounds=profile.pages // 4))
    result.rows["spa_documents"] = asyncio.run(spa_documents(run.url, run.key, token, mix))
    mix_script = run.workdir / f"spa-{kind}.lua"
    write_lua(mix_script, [body for _, body in mix], token)
    mix_ms = statistics.mean(d["ms"] for d in result.rows["spa_documents"].values())
    result.rows["spa_mix"] = measure_load(ours, mix_script, profile, page_ms=mix_ms)


def _screens_and_hostile(run: _Backend, ours: Server, token: str) -> None:
    """The Web Administration's screens, then hostile callers."""
    kind, profile, result = run.kind, run.profile, run.result
    _spa_mix(run, ours, token)

    log(f"{kind}: hostile callers, {profile.duration:.0f} s")
    result.rows["hostile"] = asyncio.run(
        hostile.hostile_benchmark(
            ours.url,
            sign_in=lambda: sign_in(ours.url),
            rss_kib=lambda: proc_status(ours.pid).get("VmRSS", 0),
            wait_idle=lambda: asyncio.to_thread(wait_idle, [ours.pid]),
            seconds=profile.duration,
        )
    )


def _writes(
    run: _Backend,
    ours: Server,
    token: str,
    seeded: seeding.Seeded,
    rng: random.Random,
    sink_stats: Path,
) -> None:
    """Mail and resets."""
    kind, profile, result = run.kind, run.profile, run.result
    # Users for the write benchmarks: disjoint, deterministic.
    own = seeded.with_own_data
    # Users with their own data first: every step of a reset then has rows to change.
    stmt_ids = list(dict.fromkeys([*reversed(own), *reversed(seeded.user_ids)]))[
        : 2 * sum(RESET_STATEMENT_SIZES)
    ]
    # The resets expect every user to succeed: users who can be mailed their secrets.
    pool = [u for u in seeded.with_email if u not in set(stmt_ids)]
    rng.shuffle(pool)
    n_reset = min(profile.resets, len(pool) // 3)
    five_ids = pool[:n_reset]
    six_ids = pool[n_reset : 2 * n_reset]
    six_probed_ids = pool[2 * n_reset : 3 * n_reset]

    log(f"{kind}: mail, {profile.mails} messages")
    result.rows["mail"] = asyncio.run(
        mail_benchmark(run.url, run.key, pool, profile.mails, sink_stats)
    )

    log(f"{kind}: resetUsers, five options, {len(five_ids)} users")
    five = dict(setRandomPassword=False, setRandomVoicemailPin=True, resetRelationships=True,
                resetClientSettings=True, resetPresenceSettings=True,
                repairContactList=True)  # fmt: skip
    result.rows["reset5"] = asyncio.run(reset_benchmark(ours.url, token, five_ids, five))
    log(f"{kind}: resetUsers, six options, {len(six_ids)} users")
    six = {**five, "setRandomPassword": True}
    result.rows["hash_all_s"] = hash_seconds_all_cores(os.cpu_count() or 1)
    # Timed alone against the hashing floor: a second client's requests take the
    # cores first (the hash threads run at nice 10), which is no cost of the reset.
    result.rows["reset6"] = asyncio.run(reset_benchmark(ours.url, token, six_ids, six, probe=False))
    log(f"{kind}: resetUsers, six options, {len(six_ids)} users, a second client querying")
    result.rows["reset6_probed"] = asyncio.run(
        reset_benchmark(ours.url, token, six_probed_ids, six)
    )
    result.rows["reset_n"] = n_reset
    result.rows["hash_s"] = hash_seconds()
    result.rows["reset_statements"] = asyncio.run(statements_per_reset(run.url, run.key, stmt_ids))


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"])
    parser.add_argument(
        "--postgres-url", default=os.environ.get("CONNECT_BENCH_POSTGRES_URL"),
        help="a PostgreSQL server to create the throwaway database on, e.g. "
        "postgresql://postgres@127.0.0.1:5432/postgres (or CONNECT_BENCH_POSTGRES_URL)",
    )  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="smaller data, shorter runs")
    parser.add_argument("--duration", type=float, help="seconds per load measurement")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up before each")
    parser.add_argument("--no-profile", dest="profile", action="store_false",
                        help="skip the in-process cProfile look at the read path")  # fmt: skip
    parser.add_argument("--scale-out-sqlite", action="store_true",
                        help="measure 2 workers on SQLite too")  # fmt: skip
    parser.add_argument("--non-compiled-only", action="store_true",
                        help="only the non-compiled path's figures (issue 14)")  # fmt: skip
    parser.add_argument("--read-only", action="store_true",
                        help="only the users page, beside baseline and PostGraphile")  # fmt: skip
    parser.add_argument("--spa-only", action="store_true",
                        help="only the SPA mix (the Web Administration's screens)")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the databases and logs")
    parser.add_argument("--scale", type=int, metavar="USERS",
                        help="seed this many users (default 10,000; --quick 2,000)")  # fmt: skip
    args = parser.parse_args(argv)
    database = args.database or ("both" if args.postgres_url else "sqlite")
    kinds = ["sqlite", "postgresql"] if database == "both" else [database]
    if "postgresql" in kinds and not args.postgres_url:
        parser.error("PostgreSQL needs --postgres-url or CONNECT_BENCH_POSTGRES_URL")
    profile = Profile(
        quick=args.quick,
        warmup=args.warmup if args.warmup is not None else (2 if args.quick else 3),
        duration=args.duration if args.duration is not None else (5 if args.quick else 12),
        pages=32 if args.quick else 64,
        mails=200 if args.quick else 1000,
        resets=200 if args.quick else 1000,
        users=args.scale,
    )
    workdir = Path(tempfile.mkdtemp(prefix="connect-bench-"))
    log(f"work folder {workdir}")
    results = []
    started = time.monotonic()
    try:
        for kind in kinds:
            results.append(run_backend(kind, profile, args, workdir))
    finally:
        if results:
            report(results, profile)
        log(f"done in {time.monotonic() - started:.0f} s")
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    # A benchmark that could not run to the end fails (its figures are printed anyway).
    stopped = [r.database for r in results if any("stopped early" in n for n in r.notes)]
    return 1 if stopped else 0


if __name__ == "__main__":
    sys.exit(main())

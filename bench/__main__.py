"""Connect Admin benchmarks: ``python -m bench [--quick] [--database sqlite|postgresql|both]``.

Builds a throwaway database per backend (the project's migrations, then a
deterministic bulk seed), runs every benchmark and prints one table. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet

from bench import hostile, noncompiled, peer, spa
from bench import search as scaling
from bench import seed as seeding
from bench.database import make_database, migrate_and_seed, prepare, settings_for
from bench.measure import measure_load, write_lua
from bench.model import Profile, Result, log
from bench.processes import PY, ROOT, Server, children, free_port, proc_status, wait_idle
from bench.reads import (
    check_same,
    measure_scaling,
    page_bodies,
    page_starts,
    sign_in,
    spa_documents,
    statements_per_page,
)
from bench.targets import (
    NON_COMPILED_FACTOR,
    PEER_RATIO,
    READ_RATIO,
    SAME_AS_PEER,
    SAME_JSON,
    judge,
    reset_hash_s,
    summary,
)
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
    peer_server = start_peer(run.url, env, workdir, result) if with_peer else None
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
    if peer_server is not None and not check_peer(
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
        non_compiled_path(result, kind, profile, seeded, token, ours, env, script, workdir)
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
        load_peer(peer_server, peer_script, profile, pg_database, result)
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


def start_peer(url: str, env: dict[str, str], workdir: Path, result: Result) -> Server | None:
    """PostGraphile serving, installed first if need be; None (and the reason in
    ``peer_not_run``) when it cannot run: the bench goes on without it."""
    reason = peer.install(log)
    if reason is None:
        # Production mode (Grafast's default, said out loud: no warning in its log).
        peer_env = {**env, "GRAPHILE_ENV": "production", "NODE_ENV": "production"}
        server = Server("postgraphile", peer_env, workdir, command=peer.command(url))
        try:
            server.wait_ready(timeout=120)
            return server
        except RuntimeError as error:
            server.stop()
            tail = server.log_path.read_text(errors="replace").strip().splitlines()[-1:]
            reason = f"{error}" + (f": {tail[0][:200]}" if tail else "")
    log(f"PostGraphile not run: {reason}")
    result.rows["peer_not_run"] = reason
    return None


def check_peer(
    server: Server, ours: str, token: str, starts: list[int], bodies: list[str], script: Path,
    result: Result,
) -> bool:  # fmt: skip
    """The peer's pages (its cursors for the same starts), compared with ours; its wrk
    script. False (and why in ``peer_not_run``) when its answers are unusable."""
    try:
        cursors = asyncio.run(peer.cursors(server.url, starts))
        peer_bodies = [peer.page_body(cursor) for cursor in cursors]
        checked = asyncio.run(peer.check(ours, server.url, token, bodies, peer_bodies))
    except (RuntimeError, httpx.HTTPError, ValueError, KeyError, TypeError) as error:
        result.rows["peer_not_run"] = f"{type(error).__name__}: {str(error)[:300]}"
        log(f"PostGraphile not run: {result.rows['peer_not_run']}")
        return False
    result.rows["same_peer"] = checked["same"]
    result.rows["peer_page_ms"] = checked["request_ms"]
    write_lua(script, peer_bodies, token)
    return True


def load_peer(
    server: Server, script: Path, profile: Profile, database: str | None, result: Result
) -> None:
    """The read load against the peer: the node process and any children it has."""
    try:
        result.rows["read_peer"] = measure_load(
            server, script, profile, pids=[server.pid, *children(server.pid)],
            page_ms=result.rows["peer_page_ms"], database=database,
        )  # fmt: skip
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        result.rows["peer_not_run"] = f"load failed: {type(error).__name__}: {error}"


def non_compiled_path(
    result: Result, kind: str, profile: Profile, seeded: Any, token: str, ours: Server,
    env: dict[str, str], pages: Path, workdir: Path,
) -> None:  # fmt: skip
    """Issue 14: what graphql-core executes field by field. The users page with
    compiled execution off (its own server), then the user details and the SPA's
    mutations (bench/noncompiled.py) against ours, each in-process and under wrk."""
    log(f"{kind}: read path, compiled execution off (1 worker)")
    off = Server("ours", {**env, "CONNECT_COMPILED_EXECUTION": "false"}, workdir)
    try:
        off.wait_ready()
        page_ms = 1000 / 20  # about 20 pages/s: the window needs a few rounds
        result.rows["read_off"] = measure_load(off, pages, profile, page_ms=page_ms)
    finally:
        off.stop()
    log(f"{kind}: the non-compiled path (user details, mutations)")
    noncompiled.documents_known()
    found = asyncio.run(noncompiled.bodies(
        ours.url, token, seeded.user_ids, seeded.with_own_data, rounds=profile.pages // 4
    ))  # fmt: skip
    url, key = env["CONNECT_DATABASE_URL"], env["CONNECT_SECRET_KEY"]

    async def in_process() -> dict[str, dict[str, Any]]:
        async with spa.in_process(url, settings_for(url, key), token) as (client, _):
            return await noncompiled.per_document(client, found)

    documents = asyncio.run(in_process())
    result.rows["noncompiled_documents"] = documents
    for load in noncompiled.LOADS:
        lua = workdir / f"noncompiled-{load}-{kind}.lua"
        write_lua(lua, [body for _, body in found[load]], token)
        ms = statistics.mean(
            documents[label]["ms"] for label, mine, _ in noncompiled.DOCUMENTS if mine == load
        )
        result.rows[f"noncompiled_{load}"] = measure_load(ours, lua, profile, page_ms=ms)


# --------------------------------------------------------------------------- report


def fmt(value: Any, spec: str = ".1f") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return format(value, spec)
    return str(value)


def report(results: list[Result], profile: Profile) -> None:
    cores = os.cpu_count() or 1
    _print_header(profile, cores)
    table = _Table(results)
    _read_rows(table.row)
    _screen_rows(table.row)
    _write_rows(table.row, profile, cores)
    _scale_out_rows(table.row, cores)
    _hostile_rows(table.row)
    table.print()
    _print_verdicts(results, profile, cores)


Row = Callable[[str, str, Callable[[Result], str]], None]
"""Adds a row to the report's table: its label, its target, its cell of a result."""


class _Table:
    """The report's table: a column per backend, "-" where a result has no figure."""

    def __init__(self, results: list[Result]) -> None:
        self.results = results
        self.rows: list[tuple[str, list[str], str]] = []

    def row(self, label: str, target: str, getter: Callable[[Result], str]) -> None:
        cells = []
        for r in self.results:
            try:
                cells.append(getter(r))
            except (KeyError, TypeError, ZeroDivisionError):
                cells.append("-")
        self.rows.append((label, cells, target))

    def print(self) -> None:
        width = max(len(label) for label, _, _ in self.rows) + 2
        cols = [r.database for r in self.results]
        print()
        print(f"{'':<{width}}" + "".join(f"{c:>20}" for c in cols) + f"  {'target':<20}")
        for label, cells, target in self.rows:
            print(f"{label:<{width}}" + "".join(f"{c:>20}" for c in cells) + f"  {target:<20}")
        for r in self.results:
            for note in r.notes:
                print(f"NOTE {r.database}: {note}")


def _figure(result: Result, *path: str) -> Any:
    return _get(result.rows, *path)


def _print_header(profile: Profile, cores: int) -> None:
    cores = os.cpu_count() or 1
    print()
    quick = " (--quick)" if profile.quick else ""
    print(f"Connect Admin benchmark{quick} | {commit_of(ROOT)}")
    print(f"machine: {platform.platform()} | {platform.processor() or platform.machine()} | "
          f"{cores} cores | Python {platform.python_version()} | load average now "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")  # fmt: skip
    print(f"load: wrk, 1 thread, {profile.connections} connections, {profile.warmup:.0f} s warm-up "
          f"+ {profile.duration:.0f} s per measurement, "
          f"{profile.pages} random pages of 100")  # fmt: skip


def _read_rows(row: Row) -> None:
    """Set-up and the read path."""
    row("users (seeded)", "", lambda r: str(_figure(r, "setup", "counts", "users")))
    row("team memberships", "", lambda r: str(_figure(r, "setup", "counts", "team_members")))
    row(
        "migrate + seed, s",
        "",
        lambda r: f"{_figure(r, 'setup', 'migrate_s'):.1f} + {_figure(r, 'setup', 'seed_s'):.1f}",
    )
    row(
        "same answers: baseline / PostGraphile",
        "yes / yes",
        lambda r: (
            f"{'yes' if _figure(r, 'same_json') == SAME_JSON else 'NO'} / {_same_peer(r.rows)}"
        ),
    )
    row(
        "load average before read path",
        "",
        lambda r: " ".join(f"{x:.1f}" for x in _figure(r, "load_before")),
    )
    row(
        "read: measurement window ours, s",
        "",
        lambda r: fmt(_figure(r, "read_ours", "window_s"), ".0f"),
    )
    row("read: ours req/s (1 worker)", "", lambda r: fmt(_figure(r, "read_ours", "rps")))
    row("read: baseline req/s", "", lambda r: fmt(_figure(r, "read_base", "rps")))
    row(
        "read: PostGraphile req/s",
        "",
        lambda r: _peer(r.rows, lambda: fmt(_figure(r, "read_peer", "rps")), why=True),
    )
    row(
        "read: ours / baseline",
        f">= {READ_RATIO:.2f} (PG)",
        lambda r: fmt(_figure(r, "read_ours", "rps") / _figure(r, "read_base", "rps"), ".2f"),
    )
    row(
        "read: ours / PostGraphile",
        f">= {PEER_RATIO:.2f} (PG)",
        lambda r: _peer(
            r.rows,
            lambda: fmt(_figure(r, "read_ours", "rps") / _figure(r, "read_peer", "rps"), ".2f"),
        ),
    )
    scaling.report_rows(row, _figure)
    row(
        "read: ours p50 / p99 ms",
        "",
        lambda r: (
            f"{_figure(r, 'read_ours', 'p50_ms'):.0f} / {_figure(r, 'read_ours', 'p99_ms'):.0f}"
        ),
    )
    row(
        "read: baseline p50 / p99 ms",
        "",
        lambda r: (
            f"{_figure(r, 'read_base', 'p50_ms'):.0f} / {_figure(r, 'read_base', 'p99_ms'):.0f}"
        ),
    )
    row(
        "read: PostGraphile p50 / p99 ms",
        "p99 >= ours (PG)",
        lambda r: _peer(
            r.rows,
            lambda: (
                f"{_figure(r, 'read_peer', 'p50_ms'):.0f} / {_figure(r, 'read_peer', 'p99_ms'):.0f}"
            ),
        ),
    )
    row(
        "read: errors ours/base/PostGraphile",
        "0/0/0",
        lambda r: _trio(r.rows, lambda d: d["socket_errors"] + d["status_errors"], "{}", "/"),
    )
    row(
        "read: server CPU %, ours / base / PG",
        "",
        lambda r: _trio(r.rows, lambda d: d["server_cpu_pct"], "{:.0f}"),
    )
    row(
        "read: server CPU ms/req, ours / base / PG",
        "",
        lambda r: _trio(r.rows, lambda d: d["server_cpu_ms_per_req"], "{:.1f}"),
    )
    row(
        "read: PostgreSQL CPU ms/req, ours / base / PG",
        "",
        lambda r: _trio(r.rows, lambda d: d["pg_cpu_ms_per_req"], "{:.1f}"),
    )


def _screen_rows(row: Row) -> None:
    """The Web Administration's screens, the non-compiled path, a page's statements
    and memory."""
    row(
        "SPA mix: req/s (1 worker), p50 / p99 ms",
        "",
        lambda r: (
            f"{_figure(r, 'spa_mix', 'rps'):.1f}, {_figure(r, 'spa_mix', 'p50_ms'):.0f} / "
            f"{_figure(r, 'spa_mix', 'p99_ms'):.0f}"
        ),
    )
    row(
        "SPA mix: errors (sock+status)",
        "0",
        lambda r: str(
            _figure(r, "spa_mix", "socket_errors") + _figure(r, "spa_mix", "status_errors")
        ),
    )
    for label, _ in spa.SCREENS:
        row(
            f"  {label}: compiled, ms (p50 / p99)",
            "",
            lambda r, label=label: _screen(_figure(r, "spa_documents", label)),
        )
    row(
        "read, compiled off: req/s, CPU ms/req",
        "",
        lambda r: (
            f"{_figure(r, 'read_off', 'rps'):.1f}, "
            f"{_figure(r, 'read_off', 'server_cpu_ms_per_req'):.1f}"
        ),
    )
    for load, label in (("details", "user details"), ("mutations", "SPA mutations")):
        row(
            f"non-compiled: {label} req/s, CPU ms/req",
            f">= {NON_COMPILED_FACTOR:g}x today",
            lambda r, load=load: (
                f"{_figure(r, f'noncompiled_{load}', 'rps'):.1f}, "
                f"{_figure(r, f'noncompiled_{load}', 'server_cpu_ms_per_req'):.1f}"
            ),
        )
    for label, _, _ in noncompiled.DOCUMENTS:
        row(
            f"  {label}: compiled, ms",
            "",
            lambda r, label=label: _screen(_figure(r, "noncompiled_documents", label)),
        )
    row("read: ours statements per page", "", lambda r: fmt(_figure(r, "per_page", "statements")))
    row(
        "read: ours in-process ms/page, 1 at a time",
        "",
        lambda r: fmt(_figure(r, "per_page", "request_ms")),
    )
    row(
        "peak RSS ours, MB (VmHWM)",
        "< 300",
        lambda r: fmt(_figure(r, "read_ours", "peak_rss_mb"), ".0f"),
    )
    row("peak RSS baseline, MB", "", lambda r: fmt(_figure(r, "read_base", "peak_rss_mb"), ".0f"))
    row(
        "peak RSS PostGraphile, MB",
        "",
        lambda r: _peer(r.rows, lambda: fmt(_figure(r, "read_peer", "peak_rss_mb"), ".0f")),
    )


def _write_rows(row: Row, profile: Profile, cores: int) -> None:
    """Mail and resets."""
    n_mail = profile.mails
    row(
        f"mail: {n_mail} queued -> SENT, s",
        f"<= {10 * n_mail / 1000:.0f}",
        lambda r: (
            f"{_figure(r, 'mail', 'seconds'):.2f} "
            f"({_figure(r, 'mail', 'sent')}/{_figure(r, 'mail', 'queued')})"
        ),
    )
    row(
        "mail: SMTP connections / dispatch calls",
        "",
        lambda r: (
            f"{_figure(r, 'mail', 'smtp_connections')} / {_figure(r, 'mail', 'dispatch_calls')}"
        ),
    )
    n = profile.resets
    row(
        f"reset {n}, 5 options, s",
        f"<= {5 * n / 1000:.0f}",
        lambda r: fmt(_figure(r, "reset5", "seconds"), ".2f"),
    )
    row("  outcome", "", lambda r: _statuses(_figure(r, "reset5", "statuses")))
    row("  2nd client p50 / p99 / max ms", "p99 < 100", lambda r: _probe(_figure(r, "reset5")))
    row("argon2id hash, ms (1 core)", "", lambda r: fmt(1000 * _figure(r, "hash_s"), ".0f"))
    row(
        f"argon2id hash, ms each ({cores} cores at once)",
        "",
        lambda r: fmt(1000 * _figure(r, "hash_all_s"), ".0f"),
    )
    row(
        f"reset {n}, 6 options, s",
        "<= 1.15*N*hash/cores",
        lambda r: fmt(_figure(r, "reset6", "seconds"), ".2f"),
    )
    row(
        "  target for 6 options, s",
        "",
        lambda r: fmt(_figure(r, "reset_n") * reset_hash_s(r.rows) / cores * 1.15, ".1f"),
    )
    row("  outcome", "", lambda r: _statuses(_figure(r, "reset6", "statuses")))
    row(
        f"reset {n}, 6 options, a 2nd client querying, s",
        "",
        lambda r: fmt(_figure(r, "reset6_probed", "seconds"), ".2f"),
    )
    row(
        "  2nd client p50 / p99 / max ms",
        "p99 < 100",
        lambda r: _probe(_figure(r, "reset6_probed")),
    )
    row(
        "SQL per resetUsers call, 10 / 100 users, 5 options",
        "equal",
        lambda r: _per_call(_figure(r, "reset_statements"), "five"),
    )
    row(
        "SQL per resetUsers call, 10 / 100 users, 6 options",
        "equal",
        lambda r: _per_call(_figure(r, "reset_statements"), "six"),
    )


def _scale_out_rows(row: Row, cores: int) -> None:
    row(
        f"read: machine busy, cores of {cores}, ours / base / PG",
        "",
        lambda r: _trio(r.rows, lambda d: d["machine_busy_cores"], "{:.2f}"),
    )
    row("scale-out: 2 workers req/s", "", lambda r: fmt(_figure(r, "read_two", "rps")))
    row(
        f"scale-out: 2 / 1 workers ({cores} cores)",
        ">= 1.6",
        lambda r: fmt(_figure(r, "read_two", "rps") / _figure(r, "read_ours", "rps"), ".2f"),
    )
    row(
        "scale-out: server CPU % per worker",
        "",
        lambda r: " / ".join(f"{pct:.0f}" for pct in _figure(r, "read_two", "server_cpu_pct_each")),
    )
    row(
        "scale-out: machine busy, cores",
        "",
        lambda r: fmt(_figure(r, "read_two", "machine_busy_cores"), ".2f"),
    )
    row(
        "scale-out: peak RSS per worker, MB",
        "",
        lambda r: fmt(_figure(r, "read_two", "peak_rss_mb"), ".0f"),
    )


def _hostile_rows(row: Row) -> None:
    row(
        "hostile: aliased / fragments answered in ms",
        "refused",
        lambda r: (
            f"{_figure(r, 'hostile', 'aliased', 'ms'):.0f} / "
            f"{_figure(r, 'hostile', 'fragments', 'ms'):.0f}"
        ),
    )
    row(
        "hostile: aliased / fragments executed, of sends",
        "0 / 0",
        lambda r: " / ".join(
            f"{fmt(_figure(r, 'hostile', name, 'executed'), 'g')} of "
            f"{_figure(r, 'hostile', name, 'sends')}"
            for name in ("aliased", "fragments")
        ),
    )
    row(
        "hostile: 8 x 40 cheap requests of one caller, budget spent / cost reported (lost)",
        "spent <= reported, 0 lost",
        lambda r: (
            f"{_figure(r, 'hostile', 'burst', 'budget_spent')} / "
            f"{_figure(r, 'hostile', 'burst', 'cost_reported')} "
            f"({_figure(r, 'hostile', 'burst', 'lost')})"
        ),
    )
    row(
        "hostile: anonymous introspection answered in ms, executed",
        "refused, 0",
        lambda r: (
            f"{_figure(r, 'hostile', 'introspection', 'ms'):.0f}, "
            f"{fmt(_figure(r, 'hostile', 'introspection', 'executed'), 'g')} of "
            f"{_figure(r, 'hostile', 'introspection', 'sends')}"
        ),
    )
    row(
        "hostile: bystander p50 / p99 ms, without data",
        "p99 < 200, 0",
        lambda r: (
            f"{_figure(r, 'hostile', 'bystander_p50_ms'):.0f} / "
            f"{_figure(r, 'hostile', 'bystander_p99_ms'):.0f}, "
            f"{_figure(r, 'hostile', 'bystander_failures')} of "
            f"{_figure(r, 'hostile', 'bystander_n')}"
        ),
    )
    row(
        "hostile: RSS before / peak / after, MB",
        "after ~ before",
        lambda r: (
            f"{_figure(r, 'hostile', 'rss_before_kib') / 1024:.0f} / "
            f"{_figure(r, 'hostile', 'rss_peak_kib') / 1024:.0f} / "
            f"{_figure(r, 'hostile', 'rss_after_kib') / 1024:.0f}"
        ),
    )


def _print_verdicts(results: list[Result], profile: Profile, cores: int) -> None:
    verdicts = [v for r in results for v in judge(r.database, r.rows, cores=cores)]
    print("\n" + summary(verdicts)
          + (" (--quick: smaller data, shorter runs)" if profile.quick else ""))  # fmt: skip
    for verdict in verdicts:
        print(verdict.line())
    for r in results:
        if r.hotspots:
            print(f"\n--- {r.database}: {r.hotspots}")
    print("\nraw results (JSON):")
    print(json.dumps({r.database: r.rows for r in results}, default=str, indent=1))


def commit_of(root: Path) -> str:
    """The checkout's commit, and whether anything in it differs from that commit
    (a changed, added or removed file anywhere but in what git ignores)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return "commit unknown"
    if not changed:
        return f"commit {head}"
    return f"commit {head} + uncommitted changes ({len(changed)} files)"


def _peer(rows: dict[str, Any], cell: Callable[[], str], *, why: bool = False) -> str:
    """A PostGraphile cell: ``cell()``, or "not run" (with the reason when ``why``)."""
    if "peer_not_run" in rows:
        return "not run" + (f": {rows['peer_not_run']}" if why else "")
    return cell()


def _same_peer(rows: dict[str, Any]) -> str:
    if "peer_not_run" in rows:
        return "not run"
    if "same_peer" not in rows:
        return "-"
    return "yes" if rows["same_peer"] == SAME_AS_PEER else "NO"


LOADS = ("read_ours", "read_base", "read_peer")


def _trio(rows: dict[str, Any], figure: Callable[[dict[str, Any]], Any], spec: str,
          sep: str = " / ") -> str:  # fmt: skip
    """One figure of ours, the baseline and PostGraphile: "-" where not measured."""
    cells = []
    for load in LOADS:
        try:
            cells.append(spec.format(figure(rows[load])))
        except KeyError:
            cells.append("-")
    return sep.join(cells)


def _get(data: Any, *path: str) -> Any:
    for part in path:
        data = data[part]
    return data


def _per_call(found: Any, name: str) -> str:
    """'12 / 12' for 10 and 100 users (with batches of 100: one batch each)."""
    if not isinstance(found, dict) or name not in found:
        return "-"
    return " / ".join(str(count) for _, count in found[name])


def _screen(found: dict[str, Any]) -> str:
    text = f"{'yes' if found['compiled'] else 'no'}, {found['ms']:.1f}"
    if "p99_ms" in found:
        text += f" (p50 {found['p50_ms']:.1f} / p99 {found['p99_ms']:.1f})"
    return text


def _statuses(statuses: dict[str, int]) -> str:
    return " ".join(f"{k[:4]}={v}" for k, v in sorted(statuses.items()))


def _probe(data: dict[str, Any]) -> str:
    text = (
        f"{data['probe_p50_ms']:.0f} / {data['probe_p99_ms']:.0f} / "
        f"{data['probe_max_ms']:.0f} n={data['probe_n']}"
    )
    return text + (f" ({data['probe_failures']} failed)" if data["probe_failures"] else "")


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

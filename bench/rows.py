"""The rows of the report's table, in the order printed: each a label, a target and
a cell of one backend's result."""

from __future__ import annotations

from collections.abc import Callable

from bench import noncompiled, spa
from bench import search as scaling
from bench.cells import (
    Row,
    figure,
    fmt,
    peer_cell,
    per_call,
    probe,
    same_peer,
    screen,
    statuses,
    trio,
)
from bench.model import Profile, Result
from bench.targets import NON_COMPILED_FACTOR, PEER_RATIO, READ_RATIO, SAME_JSON, reset_hash_s


def read_rows(row: Row) -> None:
    """Set-up and the read path."""
    row("users (seeded)", "", lambda r: str(figure(r, "setup", "counts", "users")))
    row("team memberships", "", lambda r: str(figure(r, "setup", "counts", "team_members")))
    row(
        "migrate + seed, s",
        "",
        lambda r: f"{figure(r, 'setup', 'migrate_s'):.1f} + {figure(r, 'setup', 'seed_s'):.1f}",
    )
    row(
        "same answers: baseline / PostGraphile",
        "yes / yes",
        lambda r: f"{'yes' if figure(r, 'same_json') == SAME_JSON else 'NO'} / {same_peer(r.rows)}",
    )
    row(
        "load average before read path",
        "",
        lambda r: " ".join(f"{x:.1f}" for x in figure(r, "load_before")),
    )
    row(
        "read: measurement window ours, s",
        "",
        lambda r: fmt(figure(r, "read_ours", "window_s"), ".0f"),
    )
    row("read: ours req/s (1 worker)", "", lambda r: fmt(figure(r, "read_ours", "rps")))
    row("read: baseline req/s", "", lambda r: fmt(figure(r, "read_base", "rps")))
    row(
        "read: PostGraphile req/s",
        "",
        lambda r: peer_cell(r.rows, lambda: fmt(figure(r, "read_peer", "rps")), why=True),
    )
    row(
        "read: ours / baseline",
        f">= {READ_RATIO:.2f} (PG)",
        lambda r: fmt(figure(r, "read_ours", "rps") / figure(r, "read_base", "rps"), ".2f"),
    )
    row(
        "read: ours / PostGraphile",
        f">= {PEER_RATIO:.2f} (PG)",
        lambda r: peer_cell(
            r.rows,
            lambda: fmt(figure(r, "read_ours", "rps") / figure(r, "read_peer", "rps"), ".2f"),
        ),
    )
    scaling.report_rows(row, figure)
    row(
        "read: ours p50 / p99 ms",
        "",
        lambda r: (
            f"{figure(r, 'read_ours', 'p50_ms'):.0f} / {figure(r, 'read_ours', 'p99_ms'):.0f}"
        ),
    )
    row(
        "read: baseline p50 / p99 ms",
        "",
        lambda r: (
            f"{figure(r, 'read_base', 'p50_ms'):.0f} / {figure(r, 'read_base', 'p99_ms'):.0f}"
        ),
    )
    row(
        "read: PostGraphile p50 / p99 ms",
        "p99 >= ours (PG)",
        lambda r: peer_cell(
            r.rows,
            lambda: (
                f"{figure(r, 'read_peer', 'p50_ms'):.0f} / {figure(r, 'read_peer', 'p99_ms'):.0f}"
            ),
        ),
    )
    row(
        "read: errors ours/base/PostGraphile",
        "0/0/0",
        lambda r: trio(r.rows, lambda d: d["socket_errors"] + d["status_errors"], "{}", "/"),
    )
    row(
        "read: server CPU %, ours / base / PG",
        "",
        lambda r: trio(r.rows, lambda d: d["server_cpu_pct"], "{:.0f}"),
    )
    row(
        "read: server CPU ms/req, ours / base / PG",
        "",
        lambda r: trio(r.rows, lambda d: d["server_cpu_ms_per_req"], "{:.1f}"),
    )
    row(
        "read: PostgreSQL CPU ms/req, ours / base / PG",
        "",
        lambda r: trio(r.rows, lambda d: d["pg_cpu_ms_per_req"], "{:.1f}"),
    )


def screen_rows(row: Row) -> None:
    """The Web Administration's screens, the non-compiled path, a page's statements
    and memory."""
    row(
        "SPA mix: req/s (1 worker), p50 / p99 ms",
        "",
        lambda r: (
            f"{figure(r, 'spa_mix', 'rps'):.1f}, {figure(r, 'spa_mix', 'p50_ms'):.0f} / "
            f"{figure(r, 'spa_mix', 'p99_ms'):.0f}"
        ),
    )
    row(
        "SPA mix: errors (sock+status)",
        "0",
        lambda r: str(
            figure(r, "spa_mix", "socket_errors") + figure(r, "spa_mix", "status_errors")
        ),
    )
    for label, _ in spa.SCREENS:
        row(
            f"  {label}: compiled, ms (p50 / p99)",
            "",
            _screen_cell("spa_documents", label),
        )
    row(
        "read, compiled off: req/s, CPU ms/req",
        "",
        lambda r: (
            f"{figure(r, 'read_off', 'rps'):.1f}, "
            f"{figure(r, 'read_off', 'server_cpu_ms_per_req'):.1f}"
        ),
    )
    for load, label in (("details", "user details"), ("mutations", "SPA mutations")):
        row(
            f"non-compiled: {label} req/s, CPU ms/req",
            f">= {NON_COMPILED_FACTOR:g}x today",
            _load_cell(f"noncompiled_{load}"),
        )
    for label, _, _ in noncompiled.DOCUMENTS:
        row(
            f"  {label}: compiled, ms",
            "",
            _screen_cell("noncompiled_documents", label),
        )
    row("read: ours statements per page", "", lambda r: fmt(figure(r, "per_page", "statements")))
    row(
        "read: ours in-process ms/page, 1 at a time",
        "",
        lambda r: fmt(figure(r, "per_page", "request_ms")),
    )
    row(
        "peak RSS ours, MB (VmHWM)",
        "< 300",
        lambda r: fmt(figure(r, "read_ours", "peak_rss_mb"), ".0f"),
    )
    row("peak RSS baseline, MB", "", lambda r: fmt(figure(r, "read_base", "peak_rss_mb"), ".0f"))
    row(
        "peak RSS PostGraphile, MB",
        "",
        lambda r: peer_cell(r.rows, lambda: fmt(figure(r, "read_peer", "peak_rss_mb"), ".0f")),
    )


def write_rows(row: Row, profile: Profile, cores: int) -> None:
    """Mail and resets."""
    n_mail = profile.mails
    row(
        f"mail: {n_mail} queued -> SENT, s",
        f"<= {10 * n_mail / 1000:.0f}",
        lambda r: (
            f"{figure(r, 'mail', 'seconds'):.2f} "
            f"({figure(r, 'mail', 'sent')}/{figure(r, 'mail', 'queued')})"
        ),
    )
    row(
        "mail: SMTP connections / dispatch calls",
        "",
        lambda r: (
            f"{figure(r, 'mail', 'smtp_connections')} / {figure(r, 'mail', 'dispatch_calls')}"
        ),
    )
    n = profile.resets
    row(
        f"reset {n}, 5 options, s",
        f"<= {5 * n / 1000:.0f}",
        lambda r: fmt(figure(r, "reset5", "seconds"), ".2f"),
    )
    row("  outcome", "", lambda r: statuses(figure(r, "reset5", "statuses")))
    row("  2nd client p50 / p99 / max ms", "p99 < 100", lambda r: probe(figure(r, "reset5")))
    row("argon2id hash, ms (1 core)", "", lambda r: fmt(1000 * figure(r, "hash_s"), ".0f"))
    row(
        f"argon2id hash, ms each ({cores} cores at once)",
        "",
        lambda r: fmt(1000 * figure(r, "hash_all_s"), ".0f"),
    )
    row(
        f"reset {n}, 6 options, s",
        "<= 1.15*N*hash/cores",
        lambda r: fmt(figure(r, "reset6", "seconds"), ".2f"),
    )
    row(
        "  target for 6 options, s",
        "",
        lambda r: fmt(figure(r, "reset_n") * reset_hash_s(r.rows) / cores * 1.15, ".1f"),
    )
    row("  outcome", "", lambda r: statuses(figure(r, "reset6", "statuses")))
    row(
        f"reset {n}, 6 options, a 2nd client querying, s",
        "",
        lambda r: fmt(figure(r, "reset6_probed", "seconds"), ".2f"),
    )
    row(
        "  2nd client p50 / p99 / max ms",
        "p99 < 100",
        lambda r: probe(figure(r, "reset6_probed")),
    )
    row(
        "SQL per resetUsers call, 10 / 100 users, 5 options",
        "equal",
        lambda r: per_call(figure(r, "reset_statements"), "five"),
    )
    row(
        "SQL per resetUsers call, 10 / 100 users, 6 options",
        "equal",
        lambda r: per_call(figure(r, "reset_statements"), "six"),
    )


def scale_out_rows(row: Row, cores: int) -> None:
    row(
        f"read: machine busy, cores of {cores}, ours / base / PG",
        "",
        lambda r: trio(r.rows, lambda d: d["machine_busy_cores"], "{:.2f}"),
    )
    row("scale-out: 2 workers req/s", "", lambda r: fmt(figure(r, "read_two", "rps")))
    row(
        f"scale-out: 2 / 1 workers ({cores} cores)",
        ">= 1.6",
        lambda r: fmt(figure(r, "read_two", "rps") / figure(r, "read_ours", "rps"), ".2f"),
    )
    row(
        "scale-out: server CPU % per worker",
        "",
        lambda r: " / ".join(f"{pct:.0f}" for pct in figure(r, "read_two", "server_cpu_pct_each")),
    )
    row(
        "scale-out: machine busy, cores",
        "",
        lambda r: fmt(figure(r, "read_two", "machine_busy_cores"), ".2f"),
    )
    row(
        "scale-out: peak RSS per worker, MB",
        "",
        lambda r: fmt(figure(r, "read_two", "peak_rss_mb"), ".0f"),
    )


def hostile_rows(row: Row) -> None:
    row(
        "hostile: aliased / fragments answered in ms",
        "refused",
        lambda r: (
            f"{figure(r, 'hostile', 'aliased', 'ms'):.0f} / "
            f"{figure(r, 'hostile', 'fragments', 'ms'):.0f}"
        ),
    )
    row(
        "hostile: aliased / fragments executed, of sends",
        "0 / 0",
        lambda r: " / ".join(
            f"{fmt(figure(r, 'hostile', name, 'executed'), 'g')} of "
            f"{figure(r, 'hostile', name, 'sends')}"
            for name in ("aliased", "fragments")
        ),
    )
    row(
        "hostile: 8 x 40 cheap requests of one caller, budget spent / cost reported (lost)",
        "spent <= reported, 0 lost",
        lambda r: (
            f"{figure(r, 'hostile', 'burst', 'budget_spent')} / "
            f"{figure(r, 'hostile', 'burst', 'cost_reported')} "
            f"({figure(r, 'hostile', 'burst', 'lost')})"
        ),
    )
    row(
        "hostile: anonymous introspection answered in ms, executed",
        "refused, 0",
        lambda r: (
            f"{figure(r, 'hostile', 'introspection', 'ms'):.0f}, "
            f"{fmt(figure(r, 'hostile', 'introspection', 'executed'), 'g')} of "
            f"{figure(r, 'hostile', 'introspection', 'sends')}"
        ),
    )
    row(
        "hostile: bystander p50 / p99 ms, without data",
        "p99 < 200, 0",
        lambda r: (
            f"{figure(r, 'hostile', 'bystander_p50_ms'):.0f} / "
            f"{figure(r, 'hostile', 'bystander_p99_ms'):.0f}, "
            f"{figure(r, 'hostile', 'bystander_failures')} of "
            f"{figure(r, 'hostile', 'bystander_n')}"
        ),
    )
    row(
        "hostile: RSS before / peak / after, MB",
        "after ~ before",
        lambda r: (
            f"{figure(r, 'hostile', 'rss_before_kib') / 1024:.0f} / "
            f"{figure(r, 'hostile', 'rss_peak_kib') / 1024:.0f} / "
            f"{figure(r, 'hostile', 'rss_after_kib') / 1024:.0f}"
        ),
    )


def _screen_cell(rows: str, label: str) -> Callable[[Result], str]:
    """A document's cell: compiled or not, its ms (and p50 / p99 when measured)."""
    return lambda r: screen(figure(r, rows, label))


def _load_cell(load: str) -> Callable[[Result], str]:
    """A load's req/s and server CPU ms per request."""
    return lambda r: f"{figure(r, load, 'rps'):.1f}, {figure(r, load, 'server_cpu_ms_per_req'):.1f}"

"""The report: a header (the commit, the machine, the load), one table with a column
per backend, then each target's verdict (bench/targets.py) and the raw results."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections.abc import Callable
from pathlib import Path

from bench.model import Profile, Result
from bench.processes import ROOT
from bench.rows import hostile_rows, read_rows, scale_out_rows, screen_rows, write_rows
from bench.targets import judge, summary


def report(results: list[Result], profile: Profile) -> None:
    cores = os.cpu_count() or 1
    _print_header(profile, cores)
    table = _Table(results)
    read_rows(table.row)
    screen_rows(table.row)
    write_rows(table.row, profile, cores)
    scale_out_rows(table.row, cores)
    hostile_rows(table.row)
    table.print()
    _print_verdicts(results, profile, cores)


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


def _print_header(profile: Profile, cores: int) -> None:
    print()
    quick = " (--quick)" if profile.quick else ""
    print(f"Connect Admin benchmark{quick} | {commit_of(ROOT)}")
    print(f"machine: {platform.platform()} | {platform.processor() or platform.machine()} | "
          f"{cores} cores | Python {platform.python_version()} | load average now "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")  # fmt: skip
    print(f"load: wrk, 1 thread, {profile.connections} connections, {profile.warmup:.0f} s warm-up "
          f"+ {profile.duration:.0f} s per measurement, "
          f"{profile.pages} random pages of 100")  # fmt: skip


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

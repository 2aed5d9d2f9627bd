"""Connect Admin benchmarks: ``python -m bench [--quick] [--database sqlite|postgresql|both]``.

Builds a throwaway database per backend (the project's migrations, then a
deterministic bulk seed), runs every benchmark and prints one table. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from bench.backend import run_backend
from bench.model import Profile, Result, log
from bench.report import report


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    database = args.database or ("both" if args.postgres_url else "sqlite")
    kinds = ["sqlite", "postgresql"] if database == "both" else [database]
    if "postgresql" in kinds and not args.postgres_url:
        parser.error("PostgreSQL needs --postgres-url or CONNECT_BENCH_POSTGRES_URL")
    profile = _profile(args)
    workdir = Path(tempfile.mkdtemp(prefix="connect-bench-"))
    log(f"work folder {workdir}")
    results: list[Result] = []
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


def _parser() -> argparse.ArgumentParser:
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
                        help="only the non-compiled path's figures")  # fmt: skip
    parser.add_argument("--read-only", action="store_true",
                        help="only the users page, beside baseline and PostGraphile")  # fmt: skip
    parser.add_argument("--spa-only", action="store_true",
                        help="only the SPA mix (the Web Administration's screens)")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the databases and logs")
    parser.add_argument("--scale", type=int, metavar="USERS",
                        help="seed this many users (default 10,000; --quick 2,000)")  # fmt: skip
    return parser


def _profile(args: argparse.Namespace) -> Profile:
    """What the options ask: --quick's smaller counts and shorter runs, or the full."""
    return Profile(
        quick=args.quick,
        warmup=args.warmup if args.warmup is not None else (2 if args.quick else 3),
        duration=args.duration if args.duration is not None else (5 if args.quick else 12),
        pages=32 if args.quick else 64,
        mails=200 if args.quick else 1000,
        resets=200 if args.quick else 1000,
        users=args.scale,
    )

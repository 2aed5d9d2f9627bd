"""Where a users page's CPU goes, ours beside the baseline's.

Both apps run in this process (ASGI, no socket) on the same pages, one after
another, under cProfile, after a warm-up. Own time is summed per cost: our
packages by layer (the compiled executor's answer, the look-ups' batch
functions, row mapping, middleware...), libraries by name. The report prints
milliseconds per page for each cost, ours beside the baseline's, biggest first,
then our top functions: the next thing to cut is at the top.
"""

from __future__ import annotations

import contextlib
import cProfile
import io
import os
import pstats
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from bench import baseline

ROOT = Path(__file__).resolve().parent.parent

# Our code, by where it sits (longest prefix first); the rest by package.
LAYERS = (
    ("gql/compiled/results.py", "ours: answer assembly (gql/compiled/results)"),
    ("gql/compiled/", "ours: compiled executor, twins"),
    ("gql/limits/", "ours: limits, cost, budget"),
    ("gql/", "ours: GraphQL types, batch functions"),
    ("persistence/", "ours: statements, row mapping"),
    ("domain/", "ours: domain services, rules"),
    ("server/", "ours: HTTP view, middleware"),
    ("adapters/", "ours: adapters"),
    ("bench/baseline.py", "baseline: its endpoint"),
)
LIBRARIES = (
    "httpx", "httpcore", "strawberry", "graphql", "sqlalchemy", "asyncpg", "aiosqlite",
    "starlette", "orjson", "asyncio", "json", "sqlite3", "dataclasses", "enum", "base64",
    "typing", "logging", "prometheus_client", "greenlet",
)  # fmt: skip


def cost_of(filename: str) -> str:
    """The cost a function's own time counts to, from its file."""
    try:
        relative = Path(filename).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        relative = None
    if relative is not None and not relative.startswith(".venv/"):
        for prefix, name in LAYERS:
            if relative.startswith(prefix):
                return name
    for name in LIBRARIES:
        if f"/{name}/" in filename or filename.endswith(f"/{name}.py"):
            return name
    if filename.startswith(("~", "<")):
        return "built-ins (C)"
    return Path(filename).name


# Time inside the event loop's poll is waiting (for the database), not CPU.
WAITING = "select.epoll"


def own_ms_by_cost(stats: pstats.Stats, pages: int) -> dict[str, float]:
    found: dict[str, float] = {}
    for (filename, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        if WAITING in name:
            continue
        cost = cost_of(filename)
        found[cost] = found.get(cost, 0.0) + 1000 * row[2] / pages
    return found


async def profile_pages(client: httpx.AsyncClient, bodies: list[str], pages: int) -> pstats.Stats:
    """cProfile over ``pages`` requests, after a warm-up of five."""
    for body in bodies[:5]:
        await client.post("/graphql", content=body)
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(pages):
        await client.post("/graphql", content=bodies[i % len(bodies)])
    profiler.disable()
    return pstats.Stats(profiler)


@contextlib.asynccontextmanager
async def baseline_client(url: str, token: str) -> AsyncIterator[httpx.AsyncClient]:
    """The baseline app in this process, inside its lifespan."""
    previous = os.environ.get("CONNECT_DATABASE_URL")
    os.environ["CONNECT_DATABASE_URL"] = url
    try:
        app = baseline.create_app()
    finally:
        if previous is None:
            del os.environ["CONNECT_DATABASE_URL"]
        else:
            os.environ["CONNECT_DATABASE_URL"] = previous
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench", headers=headers
        ) as client,
    ):
        yield client


def side_by_side(ours: pstats.Stats, baseline: pstats.Stats, pages: int, top: int = 16) -> str:
    """The costs of a page, ours beside the baseline's, and our top functions."""
    mine, theirs = own_ms_by_cost(ours, pages), own_ms_by_cost(baseline, pages)
    total_mine, total_theirs = sum(mine.values()), sum(theirs.values())
    lines = [
        f"where a users page's CPU goes (cProfile, in-process, {pages} pages one after "
        "another; own time in ms per page, waits for the database left out; httpx is the "
        "test client; cProfile inflates code with many small calls):",
        f"  {'cost':<50} {'ours':>8} {'baseline':>9}",
    ]
    costs = mine.keys() | theirs.keys()
    for cost in sorted(costs, key=lambda c: -max(mine.get(c, 0.0), theirs.get(c, 0.0)))[:top]:
        lines.append(f"  {cost:<50} {mine.get(cost, 0.0):8.2f} {theirs.get(cost, 0.0):9.2f}")
    lines.append(f"  {'all':<50} {total_mine:8.2f} {total_theirs:9.2f}")
    out = io.StringIO()
    ours.stream = out  # type: ignore[attr-defined]
    ours.sort_stats("tottime").print_stats(top)
    functions = [ln for ln in out.getvalue().splitlines() if ln.strip()][-(top + 1) :]
    return "\n".join([*lines, "", "our page's top functions by own time:", *functions])

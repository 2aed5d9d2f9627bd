"""The read path's pieces: signing in, the users pages (their bodies, the check that
ours answers as the baseline does), statements per page in-process, the scaling
pages under load, and the SPA's documents in-process."""

from __future__ import annotations

import asyncio
import json
import random
import time
from pathlib import Path
from typing import Any

import httpx

from bench import profiles, spa
from bench import search as scaling
from bench import seed as seeding
from bench.database import ADMIN_LOGIN, ADMIN_PASSWORD, StatementCounter, settings_for
from bench.measure import measure_load, write_lua
from bench.model import Profile, log
from bench.processes import Server
from bench.targets import SAME_JSON
from gql.ids import to_cursor

PAGE_QUERY = (
    "query Page($first: Int!, $after: String) { users(first: $first, after: $after) "
    "{ edges { node { id login displayName email isVip location { id name } "
    "configurationGroup { id name } teams { id name } defaultRelationship } } } }"
)


async def sign_in(url: str) -> str:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(url, json={"query": (
            f'mutation {{ adminSignIn(login: "{ADMIN_LOGIN}", password: "{ADMIN_PASSWORD}") '
            "{ token errors { code } } }"
        )})  # fmt: skip
        data = response.json()
    token = data["data"]["adminSignIn"]["token"]
    if not token:
        raise RuntimeError(f"sign-in failed: {data}")
    return str(token)


def page_starts(user_ids: list[int], count: int, rng: random.Random) -> list[int]:
    """``count`` random users that a full page of 100 follows."""
    return rng.sample(user_ids[: len(user_ids) - 100], count)


def page_bodies(starts: list[int]) -> list[str]:
    """Bodies for the pages of 100 after each start (``after`` = its cursor)."""
    return [
        json.dumps({"query": PAGE_QUERY, "variables": {"first": 100, "after": to_cursor(s)}})
        for s in starts
    ]


async def check_same(ours: str, baseline: str, token: str, bodies: list[str]) -> str:
    """Every body must answer without errors; the first three identically on both."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(timeout=60, headers=headers) as client:
        for i, body in enumerate(bodies):
            a = (await client.post(ours, content=body)).json()
            if "errors" in a or len(a["data"]["users"]["edges"]) != 100:
                raise RuntimeError(f"our API answered with errors: {str(a)[:500]}")
            if i < 3:
                # Ours also says what the page cost (extensions.cost); the data must match.
                a.pop("extensions", None)
                b = (await client.post(baseline, content=body)).json()
                if a != b:
                    raise RuntimeError(
                        "ours and the baseline differ:\n" + str(a)[:800] + "\n" + str(b)[:800]
                    )
    return SAME_JSON


async def statements_per_page(
    url: str, key: str, token: str, bodies: list[str], profile: bool = False
) -> dict[str, Any]:
    """In-process (ASGI, no socket): statements and SQL time per users page.

    With ``profile``, a further round of the same pages runs under cProfile on ours
    and on the baseline (after their warm-up, so imports and first-use compilation
    stay out of it): ``hotspots`` is the two side by side (bench/profiles.py).
    """
    async with spa.in_process(url, settings_for(url, key), token) as (client, engine):
        counter = StatementCounter(engine)
        for body in bodies[:5]:  # warm caches
            await client.post("/graphql", content=body)
        counter.reset()
        n = min(20, len(bodies))
        started = time.perf_counter()
        for body in bodies[:n]:
            await client.post("/graphql", content=body)
        elapsed = time.perf_counter() - started
        statements = counter.count / n
        found: dict[str, Any] = {"statements": statements, "request_ms": 1000 * elapsed / n}
        if profile:
            ours = await profiles.profile_pages(client, bodies, n)
    if profile:
        async with profiles.baseline_client(url, token) as base:
            theirs = await profiles.profile_pages(base, bodies, n)
        found["hotspots"] = profiles.side_by_side(ours, theirs, n)
    return found


def measure_scaling(
    url: str,
    key: str,
    token: str,
    ours: Server,
    seeded: seeding.Seeded,
    profile: Profile,
    workdir: Path,
    database: str | None,
) -> dict[str, dict[str, Any]]:
    """Each page of bench/search.py alone under load, its statements per request beside."""
    found: dict[str, dict[str, Any]] = {}
    for name, body in scaling.bodies(seeded.user_ids, to_cursor).items():
        per = asyncio.run(statements_per_page(url, key, token, [body] * 20))
        script = workdir / f"scaling-{len(found)}.lua"
        write_lua(script, [body], token)
        load = measure_load(ours, script, profile, page_ms=per["request_ms"], database=database)
        found[name] = {**load, "statements": per["statements"]}
        log(f"  {name}: {load['rps']:.1f} req/s, {per['statements']:.1f} statements")
    return found


async def spa_documents(
    url: str, key: str, token: str, mix: list[tuple[str, str]]
) -> dict[str, dict[str, Any]]:
    async with spa.in_process(url, settings_for(url, key), token) as (client, _):
        return await spa.per_document(client, mix)

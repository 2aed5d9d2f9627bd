"""The hostile scenario: costly queries against a running server, and a bystander.

Issue 9, rows 1 and 2: a system administrator's query of 30 aliased nested
pages, and the same work hidden in fragments that spread one another. Both
must be refused before they run (how fast: median over several sends), and
while four clients keep sending them, another caller's small query must stay
fast (p99) and never see a 5xx. The server's RSS is read before, during (the
highest seen) and after the storm, once the server is idle again.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx

SMALL_QUERY = "{ locations { id } }"
NESTED_PAGE = (
    "users(first: 100) { edges { node { location { users(first: 100) { edges { node "
    "{ login email teams { name } } } } } } } }"
)
# Row 1: 30 aliases of a page of pages.
ALIASED_PAGES = "{ " + " ".join(f"a{i}: {NESTED_PAGE}" for i in range(30)) + " }"


def fragment_bomb(levels: int = 8, fan_out: int = 3) -> str:
    """Row 2: few aliases in the text, fragments that spread one another ``levels`` deep
    with ``fan_out`` aliases each (Location.configurationGroups <-> .location)."""
    parts = []
    for level in range(levels):
        on_location = level % 2 == 0
        type_name = "Location" if on_location else "ConfigurationGroup"
        child = "configurationGroups" if on_location else "location"
        if level == levels - 1:
            body = "name"
        else:
            body = " ".join(f"f{level}x{i}: {child} {{ ...F{level + 1} }}" for i in range(fan_out))
        parts.append(f"fragment F{level} on {type_name} {{ {body} }}")
    return "{ locations { ...F0 } } " + " ".join(parts)


FRAGMENT_BOMB = fragment_bomb()


async def _timed(client: httpx.AsyncClient, url: str, query: str) -> tuple[float, int, str]:
    started = time.perf_counter()
    response = await client.post(url, json={"query": query})
    elapsed = time.perf_counter() - started
    code = ""
    with contextlib.suppress(ValueError, KeyError, IndexError, TypeError):
        code = response.json()["errors"][0]["extensions"]["code"]
    return elapsed, response.status_code, code


# A query that takes longer than this was executed, not refused: one send is enough.
EXECUTED_AFTER_S = 2.0


async def refusal(url: str, token: str, query: str, sends: int = 10) -> dict[str, Any]:
    """The median time until the server answers the query, its status and error code."""
    headers = {"Authorization": f"Bearer {token}"}
    times: list[float] = []
    status, code = 0, ""
    async with httpx.AsyncClient(timeout=120, headers=headers) as client:
        for _ in range(sends):
            try:
                elapsed, status, code = await _timed(client, url, query)
            except httpx.TimeoutException:
                elapsed, status, code = 120.0, -1, "client timeout"
            times.append(elapsed)
            if status == 429 or elapsed > EXECUTED_AFTER_S:
                break
    return {"ms": 1000 * statistics.median(times), "status": status, "code": code}


async def storm(
    url: str,
    attacker_tokens: list[str],
    bystander_token: str,
    rss_kib: Callable[[], int],
    seconds: float,
) -> dict[str, Any]:
    """Attackers (one client per token) send the costly queries in turn for ``seconds``;
    a bystander sends the small query one after another meanwhile."""
    stop = asyncio.Event()
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    bystander_failures: list[str] = []
    peak = rss_kib()

    async def attacker(token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(timeout=120, headers=headers) as client:
            queries = (ALIASED_PAGES, FRAGMENT_BOMB)
            sent = 0
            while not stop.is_set():
                try:
                    _, status, _ = await _timed(client, url, queries[sent % 2])
                except httpx.HTTPError:
                    status = -1
                statuses[status] = statuses.get(status, 0) + 1
                sent += 1

    async def bystander() -> None:
        headers = {"Authorization": f"Bearer {bystander_token}"}
        async with httpx.AsyncClient(timeout=120, headers=headers) as client:
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    response = await client.post(url, json={"query": SMALL_QUERY})
                    ok = response.status_code == 200 and "errors" not in response.json()
                    detail = f"{response.status_code} {response.text[:200]}"
                except (httpx.HTTPError, ValueError) as error:
                    ok, detail = False, f"{type(error).__name__}: {error}"
                latencies.append(time.perf_counter() - started)
                if not ok:
                    bystander_failures.append(detail)

    async def watch_memory() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, rss_kib())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.2)

    attackers = [asyncio.create_task(attacker(token)) for token in attacker_tokens]
    others = [asyncio.create_task(bystander()), asyncio.create_task(watch_memory())]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    stop.set()
    # An attacker's query still running is abandoned, not waited for.
    for task in attackers:
        task.cancel()
    await asyncio.gather(*attackers, return_exceptions=True)
    await asyncio.gather(*others)
    ordered = sorted(latencies)
    return {
        "attacker_statuses": statuses,
        "bystander_n": len(ordered),
        "bystander_p50_ms": 1000 * ordered[len(ordered) // 2] if ordered else None,
        "bystander_p99_ms": (
            1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else None
        ),
        "bystander_failures": len(bystander_failures),
        "bystander_5xx": sum(1 for f in bystander_failures if f.startswith("5")),
        "bystander_first_failure": bystander_failures[0] if bystander_failures else None,
        "rss_peak_kib": peak,
    }


async def hostile_benchmark(
    url: str,
    sign_in: Callable[[], Any],
    rss_kib: Callable[[], int],
    wait_idle: Callable[[], Any],
    seconds: float,
) -> dict[str, Any]:
    """Refusal times of both costly queries, then the storm; each caller its own session."""
    tokens = [await sign_in() for _ in range(7)]
    rss_before = rss_kib()
    result: dict[str, Any] = {
        "aliased": await refusal(url, tokens[0], ALIASED_PAGES),
        "fragments": await refusal(url, tokens[1], FRAGMENT_BOMB),
        "rss_before_kib": rss_before,
    }
    result.update(await storm(url, tokens[2:6], tokens[6], rss_kib, seconds))
    await wait_idle()
    result["rss_after_kib"] = rss_kib()
    return result

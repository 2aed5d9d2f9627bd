"""The hostile scenario: costly queries against a running server, and a bystander.

A system administrator's query of 30 aliased nested pages, and the same work
hidden in fragments that spread one another; an anonymous caller's 30 aliases of
a big type's introspection. All must be refused before they run: the server's
own count of the operations it executed (``/metrics``) must not move while they
are sent (how fast the refusal comes: median over several sends). While four
clients (and an anonymous one, the introspection) keep sending them, another
caller's small query must stay fast (p99) and get its data every time. The
server's RSS is read before, during (the highest seen) and after the storm, once
the server is idle again. Before the storm, one caller sends many cheap queries
at once: its budget must go down by what they cost, no more.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

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

# Anonymous introspection of a big type, 30 aliases of it in fragments:
# costed by what it returns, it is over the anonymous introspection ceiling.
INTROSPECTION_BOMB = (
    "{ "
    + " ".join(f'a{i}: __type(name: "Mutation") {{ ...T }}' for i in range(30))
    + " } fragment T on __Type { name fields { name description args { name description "
    "type { ...R } } } } fragment R on __Type { name kind ofType { name kind ofType "
    "{ name kind ofType { name kind } } } }"
)


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


EXECUTED = "connect_admin_graphql_operations_executed_total"


def executed_operations(metrics: str) -> float:
    """The operations the server's executors ran, from its /metrics text (all types)."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == EXECUTED
    )


async def _executed(client: httpx.AsyncClient, metrics_url: str) -> float:
    response = await client.get(metrics_url)
    response.raise_for_status()
    return executed_operations(response.text)


async def refusal(url: str, token: str | None, query: str, sends: int = 10) -> dict[str, Any]:
    """Up to ``sends`` sends of the query (``token`` None: anonymously): the median time
    until the server answered, each answer (status and error code) counted, and how many
    of them the server executed (its /metrics beside ``url``; None, and why, if it could
    not be read)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    metrics_url = url.rsplit("/", 1)[0] + "/metrics"
    times: list[float] = []
    answers: Counter[str] = Counter()
    status, code = 0, ""
    before: float | None = None
    executed: float | None = None
    metrics_error = ""
    async with httpx.AsyncClient(timeout=120, headers=headers) as client:
        try:
            before = await _executed(client, metrics_url)
        except (httpx.HTTPError, ValueError) as error:
            metrics_error = f"{type(error).__name__}: {error}"
        for _ in range(sends):
            try:
                elapsed, status, code = await _timed(client, url, query)
            except httpx.TimeoutException:
                elapsed, status, code = 120.0, -1, "client timeout"
            times.append(elapsed)
            answers[f"{status} {code}".strip()] += 1
            if status == 429 or elapsed > EXECUTED_AFTER_S:
                break
        if before is not None:
            try:
                executed = await _executed(client, metrics_url) - before
            except (httpx.HTTPError, ValueError) as error:
                metrics_error = f"{type(error).__name__}: {error}"
    return {
        "ms": 1000 * statistics.median(times), "status": status, "code": code,
        "sends": len(times), "answers": dict(answers), "executed": executed,
        "metrics_error": metrics_error,
    }  # fmt: skip


def answered(status: int, body: Any) -> bool:
    """Whether the bystander got its data: a refusal (429, RATE_LIMITED in a 200)
    or any error is a failure."""
    if status != 200 or not isinstance(body, dict) or body.get("errors"):
        return False
    return isinstance((body.get("data") or {}).get("locations"), list)


async def storm(
    url: str,
    attacker_tokens: list[str | None],
    bystander_token: str,
    rss_kib: Callable[[], int],
    seconds: float,
) -> dict[str, Any]:
    """Attackers (one client per token) send the costly queries in turn for ``seconds``
    (an anonymous one, token None, the introspection bomb); a bystander sends the small
    query one after another meanwhile."""
    stop = asyncio.Event()
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    bystander_failures: list[str] = []
    peak = rss_kib()

    async def attacker(token: str | None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with httpx.AsyncClient(timeout=120, headers=headers) as client:
            queries = (ALIASED_PAGES, FRAGMENT_BOMB) if token else (INTROSPECTION_BOMB,)
            sent = 0
            while not stop.is_set():
                try:
                    _, status, _ = await _timed(client, url, queries[sent % len(queries)])
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
                    ok = answered(response.status_code, response.json())
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


async def cheap_burst(url: str, token: str, clients: int = 8, requests: int = 40) -> dict[str, Any]:
    """``clients`` concurrent clients of one caller, ``requests`` cheap queries each:
    the budget must lose no point (each concurrent request that goes to the database
    takes a reserve; none may be overwritten). What the budget went down by (from the
    first answer's ``X-Cost-Remaining`` plus its cost to the last one's) against the
    sum of the costs reported; the refill meanwhile can only make the first smaller."""
    headers = {"Authorization": f"Bearer {token}"}
    answers: list[tuple[float, int, int, int]] = []
    async with httpx.AsyncClient(timeout=120, headers=headers) as client:
        # The refill bound covers the first answer's time to the last's.
        started = time.perf_counter()
        first = await client.post(url, json={"query": SMALL_QUERY})

        async def one_client() -> None:
            for _ in range(requests):
                response = await client.post(url, json={"query": SMALL_QUERY})
                answers.append((
                    time.perf_counter(), response.status_code,
                    int(response.headers.get("x-cost-requested", 0)),
                    int(response.headers.get("x-cost-remaining", -1)),
                ))  # fmt: skip

        await asyncio.gather(*(one_client() for _ in range(clients)))
        # Once all are done: what is left, exactly, with one more.
        last = await client.post(url, json={"query": SMALL_QUERY})
        elapsed = time.perf_counter() - started
    refill = float(
        ((first.json().get("extensions") or {}).get("cost") or {})
        .get("budget", {})
        .get("refillPerSecond", 0.0)
    )
    start = int(first.headers["x-cost-remaining"]) + int(first.headers["x-cost-requested"])
    reported = (
        int(first.headers["x-cost-requested"])
        + sum(cost for _, _, cost, _ in answers)
        + int(last.headers["x-cost-requested"])
    )
    spent = start - int(last.headers["x-cost-remaining"])
    return {
        "requests": len(answers), "statuses": dict(Counter(s for _, s, _, _ in answers)),
        "cost_reported": reported, "budget_spent": spent,
        # At most this much refilled meanwhile (0 lost: spent <= reported <= spent + this).
        "refill_bound": round(refill * elapsed), "lost": max(0, spent - reported),
        "seconds": round(elapsed, 2),
    }  # fmt: skip


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
        "introspection": await refusal(url, None, INTROSPECTION_BOMB),
        "rss_before_kib": rss_before,
        # Many concurrent cheap requests of one caller: the budget spent is the cost.
        "burst": await cheap_burst(url, tokens[0]),
    }
    attackers: list[str | None] = [*tokens[2:6], None]
    result.update(await storm(url, attackers, tokens[6], rss_kib, seconds))
    await wait_idle()
    result["rss_after_kib"] = rss_kib()
    return result

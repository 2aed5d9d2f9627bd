"""The hostile scenario's refusal check against a real server: the bench reads the
server's own count of executed operations, not the code of an answer
(bench/hostile.py, server/http/metrics.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bench import hostile
from bench.database import prepare
from bench.reads import sign_in
from tests.http.server import running_server


async def sends(url: str, database_url: str) -> list[dict[str, Any]]:
    await prepare(database_url, "test-key", sink_port=25)
    token = await sign_in(url)
    queries = (hostile.ALIASED_PAGES, hostile.FRAGMENT_BOMB, hostile.SMALL_QUERY)
    found = [await hostile.refusal(url, token, query, sends=3) for query in queries]
    # Anonymously: the introspection bomb.
    return [*found, await hostile.refusal(url, None, hostile.INTROSPECTION_BOMB, sends=3)]


def test_costly_queries_count_as_refused_and_a_cheap_one_as_executed(tmp_path: Path) -> None:
    with running_server(tmp_path) as url:
        aliased, fragments, cheap, introspection = asyncio.run(
            sends(url, f"sqlite:///{tmp_path / 'connect-admin.db'}")
        )
    for refused in (aliased, fragments, introspection):
        assert (refused["executed"], refused["sends"]) == (0, 3)
        assert refused["answers"] == {"200 QUERY_TOO_COSTLY": 3}
    assert (cheap["executed"], cheap["answers"]) == (3, {"200": 3})


async def burst(url: str, database_url: str) -> dict[str, Any]:
    await prepare(database_url, "test-key", sink_port=25)
    return await hostile.cheap_burst(url, await sign_in(url), clients=8, requests=10)


def test_many_concurrent_cheap_requests_of_one_caller_lose_no_budget(tmp_path: Path) -> None:
    with running_server(tmp_path) as url:
        result = asyncio.run(burst(url, f"sqlite:///{tmp_path / 'connect-admin.db'}"))
    assert result["statuses"] == {200: 80}
    assert result["lost"] == 0
    assert result["budget_spent"] <= result["cost_reported"]
    assert result["cost_reported"] <= result["budget_spent"] + result["refill_bound"] + 1

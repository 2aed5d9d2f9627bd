"""Query cost and budgets over HTTP (gql/limits/, server/cost_budget.py).

A ceiling per operation, counted before anything runs; a budget per principal
(administrator, user, API token), kept in the database and so shared by every
worker (two apps on one database stand for two worker processes). The budget's clock is a FakeClock:
refilling is shown by advancing it, never by waiting.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from domain.principals import SYSTEM
from domain.services import groups, locations, teams, users
from domain.services.administrators import NewAdministrator
from gql.ids import to_global_id
from persistence.cost_budgets import SqlCostBudgets
from persistence.tables import cost_budgets
from server.container import build_services
from server.http.app import create_app
from server.settings import Settings
from tests.api.conftest import ADMIN_PASSWORD
from tests.fakes import FakeClock

LIMIT = 1_000_000
SIGN_IN = (
    "mutation($l: String!, $p: String!) { adminSignIn(login: $l, password: $p) "
    "{ token errors { code } } }"
)
# Row 1 of the findings: one such request ran 25.7 s and three took the service down.
NESTED_USERS = (
    "users(first: 100) { edges { node { location { users(first: 100) { edges { node "
    "{ login email teams { name } } } } } } } }"
)
ROW_1 = "{ " + " ".join(f"a{i}: {NESTED_USERS}" for i in range(30)) + " }"


def fragment_bomb(levels: int = 9, aliases: int = 3) -> str:
    """Row 2: 27 aliases, within the limit of 30, in a chain of fragments that
    spread one another (locations -> groups -> location -> groups ...): expanded,
    3^1 + ... + 3^9 = 29,523 aliased fields. Depth 10, no fragment cycle: valid."""

    def spread(field: str, fragment: str) -> str:
        return " ".join(f"{field}{i}: {field} {{ ...{fragment} }}" for i in range(aliases))

    fields = ["locations"] + ["configurationGroups", "location"] * levels
    types = ["Location", "ConfigurationGroup"] * levels
    fragments = [
        f"fragment F{n} on {types[n]} {{ {spread(fields[n + 1], f'F{n + 1}')} }}"
        for n in range(levels - 1)
    ]
    fragments.append(f"fragment F{levels - 1} on {types[levels - 1]} {{ name }}")
    return "{ " + spread(fields[0], "F0") + " } " + " ".join(fragments)


BIGGEST_PAGE = """
query Page($first: Int!, $after: String) {
  users(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        id login firstName lastName displayName email workPhone mobilePhone isVip blocked
        passwordChangeRequired voicemailPinState defaultRelationship
        location { id name }
        configurationGroup { id name }
        teams { id name }
        clientSettings { key value }
        presenceSettings { key value }
      }
    }
  }
}"""
RESET = """
mutation($ids: [ID!]!) {
  resetUsers(ids: $ids, options: {resetClientSettings: true}, dryRun: true) {
    succeeded failed errors { code message }
    results { userId status errors { code message } }
  }
}"""
SMALL = "{ users(first: 10) { edges { node { login } } } }"  # 1 + 1 + 10 * (1 + 1)
SMALL_COST = 22


class Client:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def sign_in(self, login: str = "root") -> str:
        response = await self.post(SIGN_IN, {"l": login, "p": ADMIN_PASSWORD})
        token: str = response.json()["data"]["adminSignIn"]["token"]
        assert token, response.text
        return token


AppFactory = Callable[..., AbstractAsyncContextManager[Client]]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def app_of(clean_database: AsyncEngine, database_url: str, clock: FakeClock) -> AppFactory:
    """Makes apps on the test database: each with its own engine and pool, like a
    worker process of ``serve --workers N``; all with the same (fake) clock."""

    @asynccontextmanager
    async def app(**overrides: Any) -> AsyncIterator[Client]:
        settings = Settings(
            database_url=database_url,
            secret_key="test-key",  # type: ignore[arg-type]
            mail_dispatcher=False,
            **overrides,
        )
        application = create_app(settings, clock=clock)
        async with (
            application.router.lifespan_context(application),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=application), base_url="http://testserver"
            ) as http,
        ):
            yield Client(http)

    settings = Settings(database_url=database_url, secret_key="test-key")  # type: ignore[arg-type]
    await build_services(clean_database, settings).administrators.create_administrator(
        SYSTEM,
        NewAdministrator(login="root", password=ADMIN_PASSWORD, last_name="Root"),
    )
    return app


def only_error(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert body.get("data") is None, body
    assert len(body["errors"]) == 1, body["errors"]
    error: dict[str, Any] = body["errors"][0]
    return error


async def executed(client: Client) -> float:
    """The server's own count of operations an executor ran (/metrics), all executors."""
    response = await client.http.get("/metrics")
    assert response.status_code == 200, response.text
    return sum(
        sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
        if sample.name == "connect_admin_graphql_operations_executed_total"
        and sample.labels["operation_type"] == "query"
    )


# --- the ceiling -------------------------------------------------------------------------


class TestCeiling:
    async def test_thirty_nested_user_pages_are_refused_before_they_run(
        self, app_of: AppFactory
    ) -> None:
        async with app_of() as client:
            token = await client.sign_in()
            response = await client.post(ROW_1, token=token)
            after = await client.post(SMALL, token=token)
        error = only_error(response)
        extensions = error["extensions"]
        assert extensions["code"] == "QUERY_TOO_COSTLY"
        assert extensions["limit"] == LIMIT
        # Counting stopped just past the ceiling: at least this much, not all of it.
        assert LIMIT < extensions["cost"] <= 2 * LIMIT
        assert f"at least {extensions['cost']} points; at most {LIMIT}" in error["message"]
        # Refused before the budget too: the next request finds it full but for itself.
        assert after.json()["extensions"]["cost"]["budget"]["remaining"] == 2_000_000 - SMALL_COST

    async def test_eight_of_those_nested_pages_are_refused_too(self, app_of: AppFactory) -> None:
        query = "{ " + " ".join(f"a{i}: {NESTED_USERS}" for i in range(8)) + " }"
        async with app_of() as client:
            response = await client.post(query, token=await client.sign_in())
        assert only_error(response)["extensions"]["code"] == "QUERY_TOO_COSTLY"

    async def test_aliases_spread_through_fragments_count_as_expanded(
        self, app_of: AppFactory
    ) -> None:
        bomb = fragment_bomb()
        assert bomb.count(":") == 27  # the alias limit (30) lets it pass
        async with app_of() as client:
            token = await client.sign_in()
            response = await client.post(bomb, token=token)
            graphql_response = await client.http.post(
                "/graphql",
                json={"query": bomb},
                headers={
                    "Authorization": f"Bearer {token}",
                    "Accept": "application/graphql-response+json",
                },
            )
        extensions = only_error(response)["extensions"]
        assert extensions["code"] == "QUERY_TOO_COSTLY"
        assert extensions["limit"] == LIMIT
        assert extensions["cost"] > LIMIT
        # A request error, like the other limits: 400 for graphql-response+json clients.
        assert graphql_response.status_code == 400
        assert only_error(graphql_response)["extensions"]["code"] == "QUERY_TOO_COSTLY"

    async def test_the_same_query_costs_what_its_variables_ask_each_time(
        self, app_of: AppFactory
    ) -> None:
        paged = "query ($n: Int) { users(first: $n) { edges { node { login } } } }"
        async with app_of() as client:
            token = await client.sign_in()
            costs = [
                (await client.post(paged, {"n": n}, token=token)).json()["extensions"]["cost"]
                for n in (10, 20, 10, 10.0, None)
            ]
        # 1 + 1 + n * (1 + 1); without a size the default page of 20.
        assert [cost["requested"] for cost in costs] == [22, 42, 22, 22, 42]

    async def test_the_ceiling_follows_the_settings(self, app_of: AppFactory) -> None:
        async with app_of(max_query_cost=SMALL_COST - 1) as client:
            response = await client.post(SMALL, token=await client.sign_in())
        extensions = only_error(response)["extensions"]
        assert extensions == {"code": "QUERY_TOO_COSTLY", "cost": SMALL_COST, "limit": 21}

    async def test_callers_without_a_token_have_a_lower_ceiling(self, app_of: AppFactory) -> None:
        """Introspection runs without a pause for the event loop: thirty aliased copies
        of the schema's types and fields would stall a worker for a second or two."""
        query = (
            "{ "
            + " ".join(
                f"t{i}: __schema {{ types {{ name fields {{ name args {{ name }} "
                "type { name fields { name } } } } }"
                for i in range(30)
            )
            + " }"
        )
        async with app_of() as client:
            refused = await client.post(query)
            answered = await client.post(query, token=await client.sign_in())
        # Anonymous introspection has a ceiling of its own, below the anonymous one.
        assert only_error(refused)["extensions"]["limit"] == 26_000
        assert "errors" not in answered.json()

    async def test_callers_without_a_token_have_the_ceiling_and_no_budget(
        self, app_of: AppFactory
    ) -> None:
        query = "{ " + " ".join(f"t{i}: __schema {{ types {{ name }} }}" for i in range(30)) + " }"
        async with app_of(max_query_cost=1_000) as client:
            refused = await client.post(query)
            answered = await client.post("{ __schema { queryType { name } } }")
        assert only_error(refused)["extensions"]["code"] == "QUERY_TOO_COSTLY"
        assert answered.json()["extensions"]["cost"] == {"requested": 3, "limit": 1_000}
        assert "x-cost-remaining" not in answered.headers


# --- the biggest real operations pass -------------------------------------------------------


async def organisation(engine: AsyncEngine, database_url: str, count: int) -> list[int]:
    services = build_services(engine, Settings(database_url=database_url, secret_key="k"))  # type: ignore[arg-type]
    berlin = await services.locations.create_location(
        SYSTEM,
        locations.NewLocation(
            name="Berlin",
            client_settings=[("language", "de"), ("theme", "dark")],
            presence_settings=[("away_after", 10)],
        ),
    )
    sales = await services.groups.create_group(
        SYSTEM, groups.NewConfigurationGroup(location_id=berlin.id, name="Sales")
    )
    ids = []
    for n in range(count):
        user = await services.users.create_user(
            SYSTEM,
            users.NewUser(
                login=f"user{n:03}",
                last_name=f"User {n}",
                email=f"user{n}@example.com",
                location_id=berlin.id,
                configuration_group_id=sales.id if n % 2 else None,
            ),
        )
        ids.append(user.id)
    for start in range(0, count, 10):
        await services.teams.create_team(
            SYSTEM, teams.NewTeam(name=f"Team {start}", member_ids=ids[start : start + 10])
        )
    return ids


class TestBiggestRealOperations:
    async def test_a_users_page_of_100_with_location_group_teams_and_settings(
        self, app_of: AppFactory, clean_database: AsyncEngine, database_url: str
    ) -> None:
        await organisation(clean_database, database_url, 100)
        async with app_of() as client:
            response = await client.post(BIGGEST_PAGE, {"first": 100}, token=await client.sign_in())
        body = response.json()
        assert "errors" not in body, body["errors"]
        assert len(body["data"]["users"]["edges"]) == 100
        cost = body["extensions"]["cost"]
        assert 10_000 < cost["requested"] < LIMIT / 4
        assert cost["limit"] == LIMIT
        assert response.headers["x-cost-requested"] == str(cost["requested"])

    async def test_a_reset_of_10000_users(
        self, app_of: AppFactory, clean_database: AsyncEngine, database_url: str
    ) -> None:
        known = await organisation(clean_database, database_url, 3)
        ids = [to_global_id("User", n) for n in range(1_000_000, 1_000_000 + 9_997)]
        ids += [to_global_id("User", n) for n in known]
        async with app_of() as client:
            response = await client.post(RESET, {"ids": ids}, token=await client.sign_in())
        body = response.json()
        assert "errors" not in body, body["errors"]
        payload = body["data"]["resetUsers"]
        assert (payload["succeeded"], payload["failed"]) == (3, 9_997)
        assert len(payload["results"]) == 10_000
        assert body["extensions"]["cost"]["requested"] < LIMIT

    async def test_graphiqls_introspection_passes(self, app_of: AppFactory) -> None:
        from graphql import get_introspection_query

        query = get_introspection_query(
            descriptions=True, specified_by_url=True, input_value_deprecation=True
        )
        async with app_of() as client:
            response = await client.post(query, token=await client.sign_in())
        assert "errors" not in response.json()
        assert response.json()["extensions"]["cost"]["requested"] < LIMIT


# --- the budget ------------------------------------------------------------------------------

# Every operation to the database (no reserve), so that each test sees the budget exactly.
BUDGET = {
    "max_query_cost": 100,
    "cost_budget_capacity": 100,
    "cost_budget_refill_per_second": 1,
    "cost_budget_reserve": 0,
}


class TestBudget:
    async def test_every_answer_says_what_it_cost_and_what_is_left(
        self, app_of: AppFactory, clock: FakeClock
    ) -> None:
        async with app_of(**BUDGET) as client:
            token = await client.sign_in()
            first = await client.post(SMALL, token=token)
            second = await client.post(SMALL, token=token)
        assert first.status_code == second.status_code == 200
        full_at = clock.now() + timedelta(seconds=2 * SMALL_COST)
        assert second.json()["extensions"]["cost"] == {
            "requested": SMALL_COST,
            "limit": 100,
            "budget": {
                "remaining": 100 - 2 * SMALL_COST,
                "capacity": 100,
                "refillPerSecond": 1.0,
                "resetAt": full_at.isoformat(timespec="seconds"),
            },
        }
        assert second.headers["x-cost-requested"] == str(SMALL_COST)
        assert second.headers["x-cost-remaining"] == str(100 - 2 * SMALL_COST)
        assert second.headers["x-cost-capacity"] == "100"
        assert second.headers["x-cost-reset"] == str(int(full_at.timestamp()))

    async def test_over_budget_is_429_with_retry_after_until_it_refills(
        self, app_of: AppFactory, clock: FakeClock
    ) -> None:
        async with app_of(**BUDGET) as client:
            token = await client.sign_in()
            for _ in range(4):
                assert (await client.post(SMALL, token=token)).status_code == 200
            refused = await client.post(SMALL, token=token)  # 12 points left
            clock.advance(seconds=9)
            still = await client.post(SMALL, token=token)  # 21 points: one short
            clock.advance(seconds=1)
            again = await client.post(SMALL, token=token)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "10"
        error = only_error(refused)
        assert error["extensions"] == {
            "code": "RATE_LIMITED",
            "cost": SMALL_COST,
            "remaining": 12,
            "capacity": 100,
            "retryAfter": 10,
        }
        assert refused.json()["extensions"]["cost"]["budget"]["remaining"] == 12
        assert still.status_code == 429
        assert still.headers["retry-after"] == "1"
        assert again.status_code == 200, again.text
        assert again.json()["extensions"]["cost"]["budget"]["remaining"] == 0

    async def test_a_refused_operation_runs_nothing(
        self, app_of: AppFactory, clean_database: AsyncEngine, database_url: str
    ) -> None:
        create = 'mutation { createLocation(input: {name: "Paris"}) { location { id } } }'
        async with app_of(**BUDGET) as client:
            token = await client.sign_in()
            for _ in range(4):
                await client.post(SMALL, token=token)
            refused = await client.post(create, token=token)  # 1 + 10 + 1 + 1 > 12 left
        assert refused.status_code == 429
        assert refused.json()["extensions"]["cost"]["requested"] == 13
        settings = Settings(database_url=database_url, secret_key="k")  # type: ignore[arg-type]
        services = build_services(clean_database, settings)
        assert await services.locations.list_locations(SYSTEM) == []

    async def test_metrics_count_what_ran_not_what_was_refused(self, app_of: AppFactory) -> None:
        async with app_of(**BUDGET) as client:
            token = await client.sign_in()
            before = await executed(client)
            answers = [await client.post(SMALL, token=token) for _ in range(5)]
            costly = await client.post(ROW_1, token=token)
            after = await executed(client)
        assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
        assert only_error(costly)["extensions"]["code"] == "QUERY_TOO_COSTLY"
        # Four small queries ran; the fifth (RATE_LIMITED) and the costly one did not.
        assert after - before == 4

    async def test_the_budget_holds_across_workers(self, app_of: AppFactory) -> None:
        async with app_of(**BUDGET) as one, app_of(**BUDGET) as other:
            token = await one.sign_in()
            answers = []
            for client in (one, other, one, other, one):
                answers.append(await client.post(SMALL, token=token))
        assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
        remaining = [a.headers.get("x-cost-remaining") for a in answers[:4]]
        assert remaining == ["78", "56", "34", "12"]

    async def test_a_new_sign_in_starts_where_the_last_left_off(self, app_of: AppFactory) -> None:
        async with app_of(**BUDGET) as client:
            first = await client.sign_in()
            api_token = (
                await client.post('mutation { createApiToken(name: "crm") { token } }', token=first)
            ).json()["data"]["createApiToken"]["token"]
            while (await client.post(SMALL, token=first)).status_code == 200:
                pass
            # Signing in again gives no fresh budget: it is the administrator's.
            for _ in range(3):
                second = await client.sign_in()
                refused = await client.post(SMALL, token=second)
                assert refused.status_code == 429, refused.text
                assert int(refused.headers["retry-after"]) >= 1
            # An API token is a principal of its own, with its own budget.
            assert (await client.post(SMALL, token=api_token)).status_code == 200

    async def test_the_database_keeps_a_hash_never_the_token_and_forgets_full_budgets(
        self, app_of: AppFactory, clean_database: AsyncEngine, clock: FakeClock
    ) -> None:
        async with app_of(**BUDGET) as client:
            first = await client.sign_in()
            await client.post(SMALL, token=first)
            callers = await stored_callers(clean_database)
            assert len(callers) == 1
            assert first not in callers[0]
            assert callers[0] != hashlib.sha256(first.encode()).hexdigest()  # not the session's
            assert callers[0].startswith("administrator:")  # the principal's
            api_token = (
                await client.post('mutation { createApiToken(name: "crm") { token } }', token=first)
            ).json()["data"]["createApiToken"]["token"]
            await client.post(SMALL, token=api_token)
            by_token = set(await stored_callers(clean_database)) - set(callers)
            assert len(by_token) == 1
            assert api_token not in by_token.pop()
            # Ten minutes on, a full budget is the same as none: forgotten.
            clock.advance(minutes=11)
            second = await client.sign_in()
            await client.post(SMALL, token=second)
            assert await stored_callers(clean_database) == callers

    async def test_budgets_can_be_turned_off(self, app_of: AppFactory) -> None:
        async with app_of(**BUDGET, cost_budget=False) as client:
            token = await client.sign_in()
            answers = [await client.post(SMALL, token=token) for _ in range(6)]
        assert {a.status_code for a in answers} == {200}
        assert "budget" not in answers[-1].json()["extensions"]["cost"]
        assert "x-cost-remaining" not in answers[-1].headers


class TestReserve:
    """A process takes points ahead and pays most operations without a database write."""

    async def test_most_operations_are_paid_without_a_budget_write(
        self, app_of: AppFactory, clean_database: AsyncEngine
    ) -> None:
        settings = {**BUDGET, "cost_budget_capacity": 1000, "cost_budget_reserve": 100}
        stored: list[float | None] = []
        remaining: list[str] = []
        async with app_of(**settings) as client:
            token = await client.sign_in()
            for _ in range(10):
                answer = await client.post(SMALL, token=token)
                remaining.append(answer.headers["x-cost-remaining"])
                (caller,) = await stored_callers(clean_database)
                stored.append(await SqlCostBudgets(clean_database).tokens(caller))
        # Two writes for ten operations, each taking the cost and 100 points ahead ...
        assert len(set(stored)) == 2
        # ... and what the caller reads is exact all the same.
        assert remaining == [str(1000 - SMALL_COST * n) for n in range(1, 11)]

    async def test_processes_together_never_spend_more_than_the_budget(
        self, app_of: AppFactory
    ) -> None:
        settings = {**BUDGET, "cost_budget_reserve": 10}
        async with app_of(**settings) as one, app_of(**settings) as other:
            token = await one.sign_in()
            answers = [await client.post(SMALL, token=token) for client in (one, other) * 4]
        granted = [a for a in answers if a.status_code == 200]
        assert SMALL_COST * len(granted) <= 100
        # Each process holds at most its reserve (10) unspent: at least 80 points spent.
        assert len(granted) >= 80 // SMALL_COST
        assert {a.status_code for a in answers} == {200, 429}

    async def test_concurrent_requests_of_one_caller_lose_no_points(
        self, app_of: AppFactory
    ) -> None:
        # Each request that finds no reserve takes one from the database; those that
        # went together all keep theirs.
        capacity = 100_000
        settings = {
            **BUDGET,
            "cost_budget_capacity": capacity,
            "max_query_cost": 1000,
            "cost_budget_reserve": 5_000,
        }
        async with app_of(**settings) as client:
            token = await client.sign_in()
            answers = await asyncio.gather(*(client.post(SMALL, token=token) for _ in range(100)))
            assert {a.status_code for a in answers} == {200}
            spent = sum(int(a.headers["x-cost-requested"]) for a in answers)
            last = await client.post(SMALL, token=token)
        spent += int(last.headers["x-cost-requested"])
        assert spent == 101 * SMALL_COST
        assert int(last.headers["x-cost-remaining"]) == capacity - spent


async def stored_callers(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        return list((await conn.execute(select(cost_budgets.c.caller))).scalars())


# --- settings ------------------------------------------------------------------------------


def test_the_cost_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "CONNECT_MAX_QUERY_COST": "5000",
        "CONNECT_COST_BUDGET": "true",
        "CONNECT_COST_BUDGET_CAPACITY": "20000",
        "CONNECT_COST_BUDGET_REFILL_PER_SECOND": "50.5",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings(database_url="sqlite://")
    assert (
        settings.max_query_cost,
        settings.cost_budget,
        settings.cost_budget_capacity,
        settings.cost_budget_refill_per_second,
    ) == (5000, True, 20000, 50.5)


def test_a_budget_smaller_than_the_ceiling_is_refused() -> None:
    with pytest.raises(ValueError, match="CONNECT_COST_BUDGET_CAPACITY"):
        Settings(database_url="sqlite://", max_query_cost=1000, cost_budget_capacity=999)


def test_the_defaults() -> None:
    settings = Settings(database_url="sqlite://")
    assert settings.max_query_cost == LIMIT
    assert settings.cost_budget is True
    assert settings.cost_budget_capacity == 2_000_000
    assert settings.cost_budget_refill_per_second == 10_000


# --- subscriptions -------------------------------------------------------------------------


async def test_a_subscription_over_budget_gets_the_code(
    clean_database: AsyncEngine, database_url: str, clock: FakeClock
) -> None:
    """Over a real websocket: graphql-transport-ws has no status code, the error says it."""
    settings = Settings(
        database_url=database_url,
        secret_key="test-key",  # type: ignore[arg-type]
        mail_dispatcher=False,
        max_query_cost=25,
        cost_budget_capacity=25,
        cost_budget_refill_per_second=1,
        cost_budget_reserve=0,
    )
    await build_services(clean_database, settings).administrators.create_administrator(
        SYSTEM,
        NewAdministrator(login="root", password=ADMIN_PASSWORD, last_name="Root"),
    )
    async with serving(create_app(settings, clock=clock)) as (client, ws_url):
        token = await client.sign_in()
        assert (await client.post(SMALL, token=token)).status_code == 200  # 3 points left
        ws = await open_socket(ws_url, token)
        try:
            subscription = {
                "query": 'subscription { resetProgress(operationId: "x") '
                "{ operationId done total finished } }"
            }
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscription}))
            messages = await until_complete(ws, "1")
        finally:
            await ws.close()
    errors = [e for m in messages for e in m.get("errors", [])]
    assert [e["extensions"]["code"] for e in errors] == ["RATE_LIMITED"]
    assert errors[0]["extensions"]["retryAfter"] == 2  # 1 + 4 = 5 points, 3 left


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[tuple[Client, str]]:
    """The app on a real socket (websockets need one), in a thread with its own loop."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()
    server = _Server(uvicorn.Config(app, ws="websockets-sansio", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        assert await asyncio.to_thread(server.ready.wait, 30), "the server did not start"
        async with httpx.AsyncClient(base_url=f"http://{host}:{port}") as http:
            yield Client(http), f"ws://{host}:{port}/graphql"
    finally:
        server.should_exit = True
        await asyncio.to_thread(thread.join, 30)
        sock.close()


async def open_socket(url: str, token: str) -> ClientConnection:
    ws = await connect(url, subprotocols=[Subprotocol("graphql-transport-ws")])
    init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
    await ws.send(json.dumps(init))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    return ws


async def until_complete(ws: ClientConnection, sub_id: str) -> list[dict[str, Any]]:
    """The payloads of one subscription's ``next`` messages, up to its ``complete``."""
    payloads: list[dict[str, Any]] = []
    async with asyncio.timeout(30):  # a guard against hanging, not a synchronisation
        while True:
            message = json.loads(await ws.recv())
            assert message.get("id") == sub_id, message
            if message["type"] == "complete":
                return payloads
            assert message["type"] == "next", message
            payloads.append(message["payload"])

"""A saturated or slow server answers "not now" (503 with Retry-After), never 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.principals import SYSTEM
from domain.services.administrators import NewAdministrator
from persistence.database import create_engine
from server.container import build_services
from server.http.app import create_app
from server.settings import Settings
from tests.api.conftest import ADMIN_PASSWORD

LOCATIONS = "{ locations { name } }"
SIGN_IN = f'mutation {{ adminSignIn(login: "root", password: "{ADMIN_PASSWORD}") {{ token }} }}'


@asynccontextmanager
async def client(
    engine: AsyncEngine, database_url: str, **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    config = Settings(  # type: ignore[call-arg]
        database_url=database_url, secret_key="test-key", mail_dispatcher=False, **settings
    )
    app = create_app(config, engine=engine)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http,
    ):
        yield http


async def add_root(engine: AsyncEngine, database_url: str) -> None:
    services = build_services(engine, Settings(database_url=database_url, secret_key="k"))  # type: ignore[call-arg]
    await services.administrators.create_administrator(
        SYSTEM, NewAdministrator(login="root", password=ADMIN_PASSWORD, last_name="Root")
    )


async def sign_in(http: httpx.AsyncClient) -> str:
    response = await http.post("/graphql", json={"query": SIGN_IN})
    token: str = response.json()["data"]["adminSignIn"]["token"]
    return token


def assert_unavailable(response: httpx.Response, code: str) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) >= 1
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == code
    assert "Unexpected" not in error["message"]


class TestNoFreeDatabaseConnection:
    """Every pooled connection is held (here by the test) for longer than the pool's
    timeout: as under a flood of costly requests."""

    async def test_an_authenticated_request_is_answered_503(
        self, clean_database: AsyncEngine, database_url: str
    ) -> None:
        await add_root(clean_database, database_url)
        engine = create_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=0.1)
        try:
            async with client(engine, database_url) as http:
                token = await sign_in(http)
                async with engine.connect():
                    response = await http.post(
                        "/graphql",
                        json={"query": LOCATIONS},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                assert_unavailable(response, "SERVICE_UNAVAILABLE")

                # Once a connection is free again, the same request is served.
                again = await http.post(
                    "/graphql",
                    json={"query": LOCATIONS},
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert again.status_code == 200
                assert "errors" not in again.json()
        finally:
            await engine.dispose()

    async def test_a_resolver_that_cannot_get_a_connection_is_answered_503(
        self, clean_database: AsyncEngine, database_url: str
    ) -> None:
        await add_root(clean_database, database_url)
        engine = create_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=0.1)
        try:
            async with client(engine, database_url) as http, engine.connect():
                response = await http.post("/graphql", json={"query": SIGN_IN})
            assert_unavailable(response, "SERVICE_UNAVAILABLE")
            assert response.json()["errors"][0]["path"] == ["adminSignIn"]
        finally:
            await engine.dispose()

    async def test_metrics_are_answered_503_too(
        self, clean_database: AsyncEngine, database_url: str
    ) -> None:
        engine = create_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=0.1)
        try:
            async with client(engine, database_url) as http, engine.connect():
                response = await http.get("/metrics")
            assert_unavailable(response, "SERVICE_UNAVAILABLE")
        finally:
            await engine.dispose()


class TestExecutionDeadline:
    async def test_a_query_past_the_deadline_is_stopped_and_answered_503(
        self, clean_database: AsyncEngine, database_url: str
    ) -> None:
        await add_root(clean_database, database_url)
        # Any query that waits for the database at all runs past a deadline this short.
        async with client(clean_database, database_url, query_deadline_seconds=1e-9) as http:
            token = await sign_in(http)  # a mutation: no deadline
            response = await http.post(
                "/graphql",
                json={"query": LOCATIONS},
                headers={"Authorization": f"Bearer {token}"},
            )
        assert_unavailable(response, "DEADLINE_EXCEEDED")
        assert "deadline" in response.json()["errors"][0]["message"]

    async def test_a_query_within_the_deadline_is_answered(
        self, clean_database: AsyncEngine, database_url: str
    ) -> None:
        await add_root(clean_database, database_url)
        async with client(clean_database, database_url) as http:
            token = await sign_in(http)
            response = await http.post(
                "/graphql",
                json={"query": LOCATIONS},
                headers={"Authorization": f"Bearer {token}"},
            )
        assert response.status_code == 200
        assert response.json()["data"] == {"locations": []}
        assert "errors" not in response.json()

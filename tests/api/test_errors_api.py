"""What a client sees when something goes wrong inside the server."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from server.http.app import create_app
from server.settings import Settings


@asynccontextmanager
async def client_on_empty_database(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The app on a SQLite file without tables: every statement fails inside the server."""
    url = f"sqlite:///{tmp_path / 'unmigrated.db'}"
    settings = Settings(database_url=url, secret_key="k", mail_dispatcher=False)  # type: ignore[arg-type]
    # The app makes its engine in its lifespan and disposes it at the end.
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client,
    ):
        yield client


async def test_an_unexpected_failure_is_masked_and_logged_with_the_request_id(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with client_on_empty_database(tmp_path) as client:
        with caplog.at_level(logging.ERROR, logger="connect_admin.gql"):
            response = await client.post(
                "/graphql",
                json={"query": 'mutation { adminSignIn(login: "a", password: "b") { token } }'},
                headers={"X-Request-ID": "req-42"},
            )
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert error["message"] == "Unexpected error (request req-42)."
    assert "sign_in" not in response.text.lower()  # no SQL or table names leak
    assert response.headers["x-request-id"] == "req-42"
    assert any("req-42" in r.getMessage() for r in caplog.records)


async def test_browsers_get_graphiql(tmp_path: Path) -> None:
    async with client_on_empty_database(tmp_path) as client:
        response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_a_request_id_unfit_for_logs_is_replaced(tmp_path: Path) -> None:
    async with client_on_empty_database(tmp_path) as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"X-Request-ID": "abc def<script>"},
        )
    assert response.headers["x-request-id"] != "abc def<script>"
    assert len(response.headers["x-request-id"]) == 32

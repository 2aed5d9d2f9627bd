"""Tests through HTTP: the real app on the real database, driven by httpx.

Every test here runs with compiled execution (gql/compiled/) on and off
(``CONNECT_COMPILED_EXECUTION=false``: graphql-core executes everything), for the
apps of ``api`` and for those a test builds from its own ``Settings``. Tests that
compare the two paths (``twin``) bring both apps and run once. On PostgreSQL only
the compiled path runs (the default, and what the twin tests compare the other
against there), unless ``--both-paths`` or CI (``CI=true``) asks for both: on a
user's machine both would make the suite some 40 % longer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.ports import Clock
from domain.principals import SYSTEM
from domain.services.administrators import NewAdministrator
from domain.services.registry import Services
from server.container import services_factory
from server.http.app import create_app
from server.settings import Settings
from tests.needed import on_ci

ADMIN_PASSWORD = "Admin-Passw0rd!"


EXECUTIONS = ("compiled", "standard")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "execution" in metafunc.fixturenames:
        paths = EXECUTIONS[:1] if "twin" in metafunc.fixturenames else EXECUTIONS
        metafunc.parametrize("execution", paths, indirect=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if on_ci() or config.getoption("--both-paths"):
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        params = callspec.params if callspec is not None else {}
        standard_on_postgres = (params.get("database_url"), params.get("execution")) == (
            "postgres",
            "standard",
        )
        (dropped if standard_on_postgres else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(autouse=True)
def execution(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test's execution path (see the module's doc); Settings read it from the
    environment."""
    path: str = request.param
    monkeypatch.setenv("CONNECT_COMPILED_EXECUTION", str(path == "compiled").lower())
    return path


@dataclass
class Api:
    client: httpx.AsyncClient
    services: Services
    # Whether the app compiles the hot read queries (gql/compiled/).
    compiled: bool

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """The whole GraphQL response; fails on anything but HTTP 200."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """The data of a response that must have no GraphQL errors."""
        body = await self.post(query, variables, token)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def sign_in_admin(self, login: str, password: str = ADMIN_PASSWORD) -> str:
        data = await self.data(
            "mutation($l: String!, $p: String!) { adminSignIn(login: $l, password: $p) "
            "{ token errors { code } } }",
            {"l": login, "p": password},
        )
        token: str = data["adminSignIn"]["token"]
        assert token, data
        return token

    async def take_over_password(self, login: str, given: str, own: str) -> None:
        """The user signs in with the temporary password an administrator gave it and
        changes it to its own."""
        first = await self.sign_in_user(login, given)
        assert first["passwordChangeRequired"] is True, first
        changed = await self.data(
            "mutation($c: String!, $n: String!) { changeMyPassword(currentPassword: $c, "
            "newPassword: $n) { errors { code message } } }",
            {"c": given, "n": own},
            token=first["token"],
        )
        assert changed["changeMyPassword"]["errors"] == [], changed

    async def sign_in_user(self, login: str, password: str) -> dict[str, Any]:
        data = await self.data(
            "mutation($l: String!, $p: String!) { userSignIn(login: $l, password: $p) "
            "{ token passwordChangeRequired errors { code message } } }",
            {"l": login, "p": password},
        )
        result: dict[str, Any] = data["userSignIn"]
        return result


@pytest.fixture
def api_clock() -> Clock | None:
    """The clock of the app and services of ``api``: None, the system's; a test module
    that moves time overrides it with a FakeClock."""
    return None


@pytest.fixture
async def api(
    clean_database: AsyncEngine, database_url: str, api_clock: Clock | None
) -> AsyncIterator[Api]:
    # No cost budgets: what one test spends must not shape another's answers, and the
    # compiled and standard paths' answers must be byte-equal (budgets: test_cost_api.py).
    settings = Settings(
        database_url=database_url,  # type: ignore[arg-type]
        secret_key="test-key",  # type: ignore[arg-type]
        mail_dispatcher=False,
        cost_budget=False,
        # /metrics reads the outbox at every scrape: a test sees its own changes.
        metrics_outbox_seconds=0,
    )
    app = create_app(settings, engine=clean_database, clock=api_clock)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield Api(
            client=client,
            services=services_factory(clean_database, settings, clock=api_clock)(),
            compiled=settings.compiled_execution,
        )


@pytest.fixture
async def admin_token(api: Api) -> str:
    """A signed-in system administrator."""
    await api.services.administrators.create_administrator(
        SYSTEM,
        NewAdministrator(login="root", password=ADMIN_PASSWORD, last_name="Root"),
    )
    return await api.sign_in_admin("root")

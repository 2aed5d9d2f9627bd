"""Database fixtures shared by the whole suite.

``database_url`` is parametrized over the backends: SQLite always, PostgreSQL
when ``CONNECT_TEST_POSTGRES_URL`` names a server (a fresh database is created
for the session and dropped at its end). Each backend is migrated once per
session. ``uow`` gives a unit of work on an emptied database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import delete, event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.database import create_engine
from persistence.migrate import upgrade
from persistence.tables import metadata
from persistence.unit_of_work import SqlAlchemyUnitOfWork
from tests.api import fuzz_sample
from tests.needed import missing, on_ci

pytest_plugins = ["tests.smtp_fixtures", "tests.api.twin"]

POSTGRES_ENV = "CONNECT_TEST_POSTGRES_URL"


def pytest_configure(config: pytest.Config) -> None:
    fuzz_sample.choose_seed(config)


def pytest_report_header(config: pytest.Config) -> str:
    return fuzz_sample.sample(config).header()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """``needs`` marks (tests/needed.py) off CI: a skip, reported at the test."""
    if on_ci():
        return
    for item in items:
        for mark in item.iter_markers("needs"):
            present, reason = mark.args
            if not present:
                item.add_marker(pytest.mark.skip(reason=reason))


def pytest_runtest_setup(item: pytest.Item) -> None:
    """``needs`` marks on CI: a failure, before the test's fixtures are set up."""
    for mark in item.iter_markers("needs"):
        present, reason = mark.args
        if not present:
            missing(reason)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--long",
        action="store_true",
        default=False,
        help="long runs of the randomized tests (thousands of random queries)",
    )
    parser.addoption(
        "--both-paths",
        action="store_true",
        default=False,
        help="the API tests on PostgreSQL on graphql-core's standard execution path too, "
        "not only the compiled one (as on SQLite); always on CI (CI=true)",
    )


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        missing(f"{POSTGRES_ENV} is not set: no PostgreSQL to test on")
    return url


@pytest.fixture(scope="session")
async def postgres_database_url(postgres_server_url: str) -> AsyncIterator[str]:
    """A fresh, uniquely named database on the server; dropped at the end."""
    name = f"connect_test_{uuid.uuid4().hex[:12]}"
    maintenance = await asyncpg.connect(_asyncpg_dsn(postgres_server_url))
    try:
        await maintenance.execute(f'CREATE DATABASE "{name}"')
    finally:
        await maintenance.close()
    try:
        yield make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        maintenance = await asyncpg.connect(_asyncpg_dsn(postgres_server_url))
        try:
            await maintenance.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await maintenance.close()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, plain (driverless) database URL, one per backend."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "connect-admin.db"
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_database_url")
    upgrade(url)
    return url


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def clean_database(engine: AsyncEngine) -> AsyncEngine:
    """The engine, on a database without rows (the schema stays)."""
    async with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            await connection.execute(delete(table))
    return engine


@pytest.fixture
def uow(clean_database: AsyncEngine) -> SqlAlchemyUnitOfWork:
    return SqlAlchemyUnitOfWork(clean_database)


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_statements(engine: AsyncEngine) -> Any:
    """``with count_statements() as counter:`` records the SQL the engine runs."""

    @contextmanager
    def counting() -> Iterator[StatementCounter]:
        counter = StatementCounter()

        def before(
            conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
        ) -> None:
            # Transaction control (SQLite's explicit BEGIN) is not a query.
            if statement.strip().upper() not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"):
                counter.statements.append(statement)

        event.listen(engine.sync_engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", before)

    return counting

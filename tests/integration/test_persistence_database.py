"""URLs, engines and the database's own guarantees."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.database import create_engine, database_url, is_sqlite
from persistence.tables import sign_in_failures, users
from persistence.unit_of_work import SqlAlchemyUnitOfWork
from server.http.app import pool_size_option
from server.settings import Settings


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///connect-admin.db", "sqlite+aiosqlite:///connect-admin.db"),
        ("sqlite:////tmp/x.db", "sqlite+aiosqlite:////tmp/x.db"),
        ("sqlite://", "sqlite+aiosqlite://"),
        ("sqlite+aiosqlite:///a.db", "sqlite+aiosqlite:///a.db"),
        ("postgresql://u:p@h:5432/db", "postgresql+asyncpg://u:p@h:5432/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
def test_database_url_picks_async_drivers(given: str, expected: str) -> None:
    assert database_url(given).render_as_string(hide_password=False) == expected


def test_is_sqlite() -> None:
    assert is_sqlite("sqlite:///x.db")
    assert is_sqlite("sqlite+aiosqlite:///x.db")
    assert not is_sqlite("postgresql://h/db")


async def test_memory_sqlite_engine_is_shared_and_enforces_foreign_keys() -> None:
    engine = create_engine("sqlite://")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE a (id INTEGER PRIMARY KEY)"))
            await connection.execute(
                text("CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id))")
            )
        with pytest.raises(IntegrityError):
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO b (id, a_id) VALUES (1, 42)"))
    finally:
        await engine.dispose()


async def test_foreign_keys_are_enforced(clean_database: AsyncEngine) -> None:
    with pytest.raises(IntegrityError):
        async with clean_database.begin() as connection:
            await connection.execute(
                insert(users).values(
                    login="x",
                    last_name="X",
                    location_id=4242,
                    is_vip=False,
                    blocked=False,
                    password_change_required=False,
                    voicemail_pin_state="NOT_SET",
                    client_settings={},
                    presence_settings={},
                )
            )


async def test_sqlite_file_database_uses_wal(database_url: str, engine: AsyncEngine) -> None:
    if not is_sqlite(database_url):
        pytest.skip("SQLite only")
    async with engine.connect() as connection:
        mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar_one()
        foreign_keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one()
    assert (mode, foreign_keys) == ("wal", 1)


async def test_datetimes_come_back_aware_utc(clean_database: AsyncEngine) -> None:
    berlin = timezone(timedelta(hours=1))
    at = datetime(2025, 1, 2, 13, 30, 15, 123456, tzinfo=berlin)
    async with clean_database.begin() as connection:
        await connection.execute(insert(sign_in_failures).values(key="k", at=at))
        stored = (await connection.execute(select(sign_in_failures.c.at))).scalar_one()
        # Comparisons happen in UTC on both backends.
        later = (
            await connection.execute(
                select(sign_in_failures.c.at).where(
                    sign_in_failures.c.at >= datetime(2025, 1, 2, 12, 30, 15, tzinfo=UTC)
                )
            )
        ).scalar_one_or_none()
    assert stored == at
    assert stored.tzinfo is UTC
    assert stored.hour == 12
    assert later == at


async def test_naive_datetimes_are_refused(clean_database: AsyncEngine) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        async with clean_database.begin() as connection:
            await connection.execute(
                insert(sign_in_failures).values(key="k", at=datetime(2025, 1, 1))
            )


async def test_a_connection_the_server_closed_is_not_handed_out(database_url: str) -> None:
    """Without pre-ping (three round trips per checkout on asyncpg): the pool drops a
    connection whose server process is gone, and the next unit of work works."""
    if is_sqlite(database_url):
        pytest.skip("PostgreSQL only")
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    other = create_engine(database_url, pool_size=1, max_overflow=0)
    try:
        uow = SqlAlchemyUnitOfWork(engine)
        async with uow.reading() as reading:
            pid = (await reading.connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            pooled = (await reading.connection.get_raw_connection()).driver_connection
        closed = asyncio.Event()
        pooled.add_termination_listener(lambda _connection: closed.set())
        async with other.connect() as connection:
            assert (
                await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            ).scalar_one()
        # asyncpg sees the socket close while the connection rests in the pool.
        async with asyncio.timeout(10):
            await closed.wait()
        async with uow.reading() as reading:
            new_pid = (
                await reading.connection.execute(text("SELECT pg_backend_pid()"))
            ).scalar_one()
        assert new_pid != pid
    finally:
        await engine.dispose()
        await other.dispose()


async def test_a_burst_of_connections_is_kept_for_the_next_one(database_url: str) -> None:
    """Connections opened for a burst stay in the pool: 16 concurrent pages once
    opened 11 PostgreSQL sessions a second, each a forked backend."""
    if is_sqlite(database_url):
        pytest.skip("PostgreSQL only")
    engine = create_engine(database_url)
    try:

        async def hold(ready: asyncio.Barrier) -> int:
            async with engine.connect() as connection:
                await ready.wait()
                pid = await connection.execute(text("SELECT pg_backend_pid()"))
                return int(pid.scalar_one())

        burst = 16
        ready = asyncio.Barrier(burst)
        first = await asyncio.gather(*(hold(ready) for _ in range(burst)))
        ready = asyncio.Barrier(burst)
        second = await asyncio.gather(*(hold(ready) for _ in range(burst)))
        assert len(set(first)) == burst
        assert set(second) == set(first)
    finally:
        await engine.dispose()


async def test_the_pool_size_setting_bounds_the_connections(database_url: str) -> None:
    if is_sqlite(database_url):
        pytest.skip("PostgreSQL only")
    settings = Settings(database_url=database_url, secret_key="k", database_pool_size=2)
    engine = create_engine(database_url, pool_timeout=0.2, **pool_size_option(settings))
    try:
        async with engine.connect(), engine.connect():
            with pytest.raises(PoolTimeout):
                async with engine.connect():
                    pass
    finally:
        await engine.dispose()

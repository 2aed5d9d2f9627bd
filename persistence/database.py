"""Database URLs and engines.

Plain ``sqlite:///…`` and ``postgresql://…`` URLs are accepted; this module
picks the async drivers (aiosqlite, asyncpg).
"""

from __future__ import annotations

import base64
import os
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import URL, event, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from persistence.faults import report_outages
from persistence.json_columns import decode_json

SQLITE_BUSY_TIMEOUT_MS = 10_000
# SQLite's url-safe base64 without padding, which it lacks (the page document's IDs).
BASE64URL_FUNCTION = "connect_base64url"

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


# The most connections one server process holds (CONNECT_DATABASE_POOL_SIZE).
DEFAULT_POOL_SIZE = 20


def database_url(url: str | URL) -> URL:
    """The URL with an async driver: aiosqlite for SQLite, asyncpg for PostgreSQL.

    URLs that already name a driver keep it.
    """
    parsed = make_url(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    if driver is not None:
        parsed = parsed.set(drivername=driver)
    return parsed


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def is_postgresql(url: str | URL) -> bool:
    return make_url(url).get_backend_name() in ("postgresql", "postgres")


def _is_memory_sqlite(url: URL) -> bool:
    database = url.database
    return not database or database == ":memory:"


def sqlite_file(url: str | URL) -> Path | None:
    """The database file of a SQLite URL; None for an in-memory database, a ``file:``
    URI or another backend."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or _is_memory_sqlite(parsed):
        return None
    database = parsed.database
    if database is None or database.startswith("file:"):
        return None
    return Path(database).absolute()


def create_engine(url: str | URL, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url``; extra keyword arguments go to SQLAlchemy.

    SQLite: foreign keys enforced, a busy timeout, WAL journal for file
    databases, and real transactions (``BEGIN`` emitted by SQLAlchemy, so that
    reads are part of the transaction too). PostgreSQL: a pool that never
    hands out a connection the server has closed (see _drop_closed). Both: a
    fault that passes (a lock not granted in time, a broken connection) is raised
    as ServiceUnavailable (persistence/faults.py).
    JSON columns (settings) are decoded by orjson (a page holds hundreds), and
    defensively: a stored value no answer can carry is left out (json_columns.py).
    """
    async_url = database_url(url)
    if is_sqlite(async_url):
        return _create_sqlite_engine(async_url, **kwargs)
    options: dict[str, Any] = {
        # Connections are kept, not opened for a burst and closed after it: with 10
        # kept and 10 more on demand, 16 concurrent pages opened 11 PostgreSQL
        # sessions a second (a backend forked, asyncpg's type set-up) and spent
        # more on that than on the pages.
        "pool_size": DEFAULT_POOL_SIZE,
        "max_overflow": 0,
        "pool_recycle": 1800,
        "pool_timeout": 30,
    }
    options.update(kwargs)
    engine = create_async_engine(
        async_url, hide_parameters=True, json_deserializer=decode_json, **options
    )
    if not options.get("pool_pre_ping"):
        event.listen(engine.sync_engine, "checkout", _drop_closed)
    report_outages(engine)
    return engine


def _drop_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Instead of SQLAlchemy's pre-ping: a checked-out connection the server closed
    (a restart, pg_terminate_backend) is replaced by a new one.

    asyncpg notices a closed socket while the connection waits in the pool, so
    asking it costs nothing; pool_pre_ping costs three round trips per checkout
    on asyncpg (BEGIN, ``;``, ROLLBACK), about a tenth of a users page's CPU.
    A connection whose server vanished without closing it fails at its first
    statement, as it would have failed the ping.
    """
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


# Execution option of a connection whose transactions only read.
READ_ONLY_OPTION = "connect_admin_read_only"
# Execution option of a SQLite connection that runs one statement at a time, each its
# own transaction (SQLite's autocommit): no BEGIN round trip for a lone upsert.
SINGLE_STATEMENT_OPTION = "connect_admin_single_statement"


@asynccontextmanager
async def read_only(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection whose transactions only read: on SQLite they never wait for a writer."""
    async with engine.connect() as connection:
        await connection.execution_options(**{READ_ONLY_OPTION: True})
        yield connection


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _base64url(value: object) -> str | None:
    """gql.ids.to_global_id's encoding of a text (null for null)."""
    if value is None:
        return None
    return base64.urlsafe_b64encode(str(value).encode()).decode().rstrip("=")


SQLITE_COMPANION_SUFFIXES = ("", "-wal", "-shm", "-journal")


def keep_sqlite_files_private(database: str) -> None:
    """The database file and its companions readable and writable by the owner only.

    They hold password and PIN hashes (a six-digit PIN's hash falls to an offline
    guess in seconds) and, until sent, encrypted mail secrets. SQLite creates
    files with the process umask (often 0644) and gives ``-wal``, ``-shm`` and
    ``-journal`` the mode of the database file, so the database file is made
    0600 before SQLite opens it, and files left readable by an earlier release
    are tightened. A missing folder is left to SQLite to report.
    """
    base = Path(database)
    if not base.exists():
        try:
            os.close(os.open(base, os.O_CREAT | os.O_WRONLY, 0o600))
        except OSError:
            return
    for suffix in SQLITE_COMPANION_SUFFIXES:
        path = base.with_name(base.name + suffix)
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode & 0o077:
                path.chmod(mode & 0o700)
        except OSError:
            # Missing, or not ours to change: SQLite reports what matters.
            continue


def _create_sqlite_engine(url: URL, **kwargs: Any) -> AsyncEngine:
    memory = _is_memory_sqlite(url)
    database_file = sqlite_file(url)
    if database_file is not None:
        keep_sqlite_files_private(str(database_file))
    options: dict[str, Any] = {}
    if memory:
        # One shared connection, or every checkout would see its own empty database.
        options["poolclass"] = StaticPool
    options.update(kwargs)
    engine = create_async_engine(
        url, hide_parameters=True, json_deserializer=decode_json, **options
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
        dbapi_connection.isolation_level = None
        # SQLite's lower() only folds ASCII; searches must find "Ørsted" by "ørsted".
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        dbapi_connection.create_function(BASE64URL_FUNCTION, 1, _base64url, deterministic=True)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            if not memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A transaction that may write takes the write lock at BEGIN (IMMEDIATE): a
        # deferred one that reads and then writes must upgrade its lock, and SQLite
        # refuses that at once ("database is locked", busy_timeout not consulted)
        # while another connection writes. Reads begin deferred: in WAL mode they
        # never wait for writers, and writers never starve them.
        options = connection.get_execution_options()
        if options.get(SINGLE_STATEMENT_OPTION):
            return
        if options.get(READ_ONLY_OPTION):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    report_outages(engine)
    return engine

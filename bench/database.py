"""The throwaway database of a backend, the settings our app gets for it, its
system administrator and E-Mail Gateway, and a statement counter on an engine."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import URL, event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench import seed as seeding
from domain.model import SmtpSecurity
from domain.principals import SYSTEM
from domain.services.administrators import NewAdministrator
from domain.services.mail import GatewayInput
from persistence.database import create_engine
from persistence.migrate import upgrade
from server.container import build_services
from server.settings import Settings

ADMIN_LOGIN = "bench-admin"
ADMIN_PASSWORD = "BenchAdmin!2026-Secret"


def make_database(
    kind: str, workdir: Path, pg_admin_url: str | None
) -> tuple[str, Callable[[], None]]:
    """A throwaway database: its URL and a function that drops it."""
    if kind == "sqlite":
        path = workdir / "bench.db"
        return f"sqlite:///{path}", lambda: None
    assert pg_admin_url is not None
    name = f"connect_bench_{os.getpid()}"
    admin = make_url(pg_admin_url)
    asyncio.run(_run_admin_sql(admin, f'DROP DATABASE IF EXISTS "{name}"'))
    asyncio.run(_run_admin_sql(admin, f'CREATE DATABASE "{name}"'))
    url = admin.set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        asyncio.run(_run_admin_sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return url, drop


async def _run_admin_sql(admin: URL, sql: str) -> None:
    """One statement on the administration database, outside a transaction."""
    engine = create_async_engine(
        admin.set(drivername="postgresql+asyncpg"), isolation_level="AUTOCOMMIT"
    )
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql(sql)
    finally:
        await engine.dispose()


def migrate_and_seed(url: str, size: seeding.Size) -> tuple[seeding.Seeded, dict[str, Any]]:
    """The database migrated and seeded; the seeded ids and the set-up's figures."""
    t0 = time.perf_counter()
    upgrade(url)
    t1 = time.perf_counter()
    seeded = asyncio.run(seeding.seed(url, size))
    t2 = time.perf_counter()
    return seeded, {"migrate_s": t1 - t0, "seed_s": t2 - t1, "counts": seeded.counts}


def settings_for(url: str, key: str) -> Settings:
    return Settings(database_url=url, secret_key=SecretStr(key), mail_dispatcher=False)


class StatementCounter:
    """Counts statements (and their time) on an engine, via SQLAlchemy events."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        self.seconds = 0.0
        self._started: list[float] = []
        event.listen(engine.sync_engine, "before_cursor_execute", self._before)
        event.listen(engine.sync_engine, "after_cursor_execute", self._after)

    def _before(self, *args: Any) -> None:
        self.count += 1
        self._started.append(time.perf_counter())

    def _after(self, *args: Any) -> None:
        if self._started:
            self.seconds += time.perf_counter() - self._started.pop()

    def reset(self) -> None:
        self.count = 0
        self.seconds = 0.0


async def prepare(url: str, key: str, sink_port: int) -> None:
    """The system administrator and the E-Mail Gateway (pointing at the sink)."""
    engine = create_engine(url)
    try:
        settings = settings_for(url, key)
        await build_services(engine, settings).administrators.create_administrator(
            SYSTEM,
            NewAdministrator(login=ADMIN_LOGIN, password=ADMIN_PASSWORD, last_name="Bench"),
        )  # fmt: skip
        await build_services(engine, settings).mail.configure_gateway(
            SYSTEM,
            GatewayInput(host="127.0.0.1", port=sink_port, security=SmtpSecurity.NONE,
                         sender_address="admin@bench.example", sender_name="Bench"),
        )  # fmt: skip
    finally:
        await engine.dispose()

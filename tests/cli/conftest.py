"""Fixtures of the command-line tests."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import asyncpg
import pytest
from sqlalchemy import make_url


@pytest.fixture
def empty_postgres(postgres_server_url: str) -> Iterator[str]:
    """A new PostgreSQL database without any table; dropped afterwards."""
    name = f"connect_empty_{uuid.uuid4().hex[:12]}"
    admin = make_url(postgres_server_url).set(drivername="postgresql")
    dsn = admin.render_as_string(hide_password=False)

    async def run(sql: str) -> None:
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

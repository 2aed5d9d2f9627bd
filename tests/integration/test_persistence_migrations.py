"""The migrations create exactly the schema of tables.py."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.migrate import head_revision, upgrade, upgrade_async
from persistence.tables import metadata


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_migrated_database_matches_the_tables(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == []


async def test_database_is_at_head(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        version = (
            await connection.execute(text("SELECT version_num FROM alembic_version"))
        ).scalar_one()
    assert version == head_revision() == "0008"


async def test_upgrade_again_changes_nothing(database_url: str, engine: AsyncEngine) -> None:
    await upgrade_async(database_url)
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


def test_sync_upgrade_of_a_new_sqlite_file(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(url)
    upgrade(url)
    assert (tmp_path / "fresh.db").exists()

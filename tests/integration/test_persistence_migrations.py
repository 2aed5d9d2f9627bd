"""The migrations create exactly the schema of tables.py."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.migrate import alembic_config, head_revision, state_on, upgrade, upgrade_async
from persistence.tables import metadata
from persistence.tables.search import is_search_index


def _not_search_index(name: str | None, type_: str, _parents: Any) -> bool:
    return not (type_ in ("table", "index") and is_search_index(name))


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": _not_search_index}
    )
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
    assert version == head_revision() == "0017"


async def test_upgrade_again_changes_nothing(database_url: str, engine: AsyncEngine) -> None:
    await upgrade_async(database_url)
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


def test_sync_upgrade_of_a_new_sqlite_file(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(url)
    upgrade(url)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            version = connection.execute(text("SELECT version_num FROM alembic_version"))
            assert version.scalars().all() == [head_revision()]
            # Every table and column of tables.py, of the types it names; nothing more.
            assert _differences(connection) == []
    finally:
        engine.dispose()
    assert {name for name in tables if not is_search_index(name)} == {
        *metadata.tables,
        "alembic_version",
    }


def test_every_migration_says_whether_older_releases_still_serve(tmp_path: Any) -> None:
    """From 0009 on, each migration is an expand or a contract step; after each, the
    database names the newest contract step as the oldest revision a release must know
    (docs/operators/upgrades.md)."""
    scripts = ScriptDirectory.from_config(alembic_config())
    chain = [script for script in reversed(list(scripts.walk_revisions()))]
    recorded = chain[[script.revision for script in chain].index("0009") :]
    url = f"sqlite:///{tmp_path / 'steps.db'}"
    oldest = "0009"
    for script in recorded:
        step = getattr(script.module, "COMPATIBILITY", None)
        assert step in {"expand", "contract"}, f"{script.revision} declares no COMPATIBILITY"
        if step == "contract":
            oldest = script.revision
        upgrade(url, script.revision)
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                state = state_on(connection)
        finally:
            engine.dispose()
        assert (state.revision, state.oldest_serving) == (script.revision, oldest)

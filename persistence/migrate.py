"""Applies the Alembic migrations shipped in ``persistence/migrations``.

No ``alembic.ini`` is needed: the configuration is built here, so this works
from any working folder and after a regular (non-editable) install.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from persistence.database import create_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration for the packaged migrations; ``url`` is optional."""
    config = Config()
    # ConfigParser interpolation: a literal % must be doubled.
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.attributes["url"] = url
    return config


def head_revision() -> str | None:
    """The newest revision shipped with the package."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revisions() -> set[str]:
    """Every revision shipped with the package."""
    return {
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    }


def revisions_between(current: str | None, target: str = "head") -> list[tuple[str, str]]:
    """The revisions (id, message) that upgrading from ``current`` applies, oldest first."""
    scripts = ScriptDirectory.from_config(alembic_config())
    pending = scripts.iterate_revisions(target, current)
    return [(script.revision, script.doc or "") for script in reversed(list(pending))]


def upgrade(url: str, revision: str = "head") -> None:
    """Applies pending migrations to the database at ``url`` (plain or async URL).

    Synchronous, for the command line; it runs its own event loop, so call
    :func:`upgrade_async` from async code instead.
    """
    command.upgrade(alembic_config(url), revision)


async def upgrade_async(url: str, revision: str = "head") -> None:
    """Like :func:`upgrade`, for callers inside a running event loop."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_upgrade_on, revision)
            await connection.commit()
    finally:
        await engine.dispose()


def _upgrade_on(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)

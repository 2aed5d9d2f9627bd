"""Applies the Alembic migrations shipped in ``persistence/migrations``.

No ``alembic.ini`` is needed: the configuration is built here, so this works
from any working folder and after a regular (non-editable) install.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

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


@cache
def head_revision() -> str | None:
    """The newest revision shipped with the package."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@cache
def known_revisions() -> frozenset[str]:
    """Every revision shipped with the package."""
    scripts = ScriptDirectory.from_config(alembic_config()).walk_revisions()
    return frozenset(script.revision for script in scripts)


@dataclass(frozen=True)
class DatabaseState:
    """Where a database's migrations stand: its revision (None: no schema) and the
    oldest revision a release must know to serve it (None: only its own release,
    as before the record existed; see migration 0009)."""

    revision: str | None
    oldest_serving: str | None = None

    def migrated_by_a_newer_release(self) -> bool:
        return self.revision is not None and self.revision not in known_revisions()

    def served_by_this_release(self) -> bool:
        """At this release's newest revision, or migrated by a newer release that only
        added what this release does not use (a rolling upgrade's older hosts)."""
        if self.revision == head_revision():
            return True
        return self.migrated_by_a_newer_release() and self.oldest_serving in known_revisions()


def state_on(connection: Connection) -> DatabaseState:
    """The migration state of the database ``connection`` reaches."""
    from alembic.runtime.migration import MigrationContext

    revision = MigrationContext.configure(connection).get_current_revision()
    if not inspect(connection).has_table("release_compatibility"):
        return DatabaseState(revision)
    query = text("SELECT oldest_revision FROM release_compatibility WHERE id = 1")
    return DatabaseState(revision, connection.execute(query).scalar_one_or_none())


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

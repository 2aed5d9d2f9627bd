"""Alembic environment: runs the migrations through the async engine of ``database.py``.

``migrate.upgrade`` passes the URL in ``config.attributes["url"]``, or an
open synchronous connection in ``config.attributes["connection"]`` (used from
inside a running event loop). The ``alembic`` command line works too, with
``sqlalchemy.url`` or ``CONNECT_DATABASE_URL``.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection

from persistence.database import create_engine, database_url
from persistence.tables import UtcDateTime, metadata
from persistence.tables.search import is_search_index

config = context.config
target_metadata = metadata


def _url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        url = os.environ.get("CONNECT_DATABASE_URL", "sqlite:///connect-admin.db")
    return str(url)


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Autogenerate writes plain SQLAlchemy types, so revisions never import tables.py."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _include_name(name: str | None, type_: str, _parents: Any) -> bool:
    """The search index is no table of tables.py: autogenerate leaves it be."""
    return not (type_ in ("table", "index") and is_search_index(name))


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_item=_render_item,
        include_name=_include_name,
        # SQLite cannot ALTER most things; batch mode rebuilds the table.
        render_as_batch=connection.dialect.name == "sqlite",
    )


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_engine(_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(_url()).render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_async())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

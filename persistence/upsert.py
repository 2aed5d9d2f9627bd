"""INSERT … ON CONFLICT DO UPDATE: PostgreSQL and SQLite write it alike, but SQLAlchemy
builds it only with each dialect's own ``insert``."""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite


def upsert_into(dialect_name: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into ``table`` that can take ``on_conflict_do_update``, for the dialect."""
    if dialect_name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)

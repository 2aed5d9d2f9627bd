"""The users' search index: beside the tables, made by migration 0012 for each database.

On PostgreSQL the GIN index ``ix_users_search`` (pg_trgm) on an expression; on
SQLite the FTS5 table ``user_search``, its shadow tables (``user_search_data``
and the like) and the triggers that keep it in step with ``users``. They are no
tables of ``metadata``: the comparison of the migrated schema with the tables
leaves them out (``is_search_index``), and a test checks them on their own.
"""

from __future__ import annotations

POSTGRESQL_INDEX = "ix_users_search"
SQLITE_TABLE = "user_search"


def is_search_index(name: str | None) -> bool:
    """Whether a table or index of the database is (part of) the search index."""
    return name is not None and (
        name in (POSTGRESQL_INDEX, SQLITE_TABLE) or name.startswith(SQLITE_TABLE + "_")
    )

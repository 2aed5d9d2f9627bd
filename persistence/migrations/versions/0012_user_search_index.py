"""The users search served by an index: pg_trgm on PostgreSQL, FTS5 on SQLite.

PostgreSQL: a GIN index (pg_trgm's ``gin_trgm_ops``) on the lowered login,
display name and e-mail joined by the unit separator (U+001F), the expression
``user_search.search_text`` renders.
Where the extension cannot be created (not installed, or the role may not), the
index is left out with a warning: searches read every user, with the same
answers. SQLite: the FTS5 table ``user_search`` (trigram tokenizer, SQLite
3.34 or newer) and the triggers that keep it in step with ``users``.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# expand: an index, a search table and the triggers that keep it; older releases
# write users as before and the triggers follow.
COMPATIBILITY = "expand"

log = logging.getLogger("alembic.runtime.migration")

# persistence/repositories/user_search.py search_text(), as SQL: PostgreSQL uses
# the index only for this very expression.
POSTGRESQL_UPGRADE = (
    "CREATE INDEX IF NOT EXISTS ix_users_search ON users USING gin (("
    "lower(login) || '\x1f' || lower(CASE WHEN (first_name != '') "
    "THEN first_name || ' ' || last_name ELSE last_name END) || '\x1f' || "
    "coalesce(lower(email), '')"
    ") gin_trgm_ops)"
)

# The FTS5 row of a users row: its lowered login, display name and e-mail.
SQLITE_UPGRADE = (
    "CREATE VIRTUAL TABLE user_search USING fts5(login, display_name, email, tokenize='trigram')",
    "INSERT INTO user_search (rowid, login, display_name, email) SELECT id, "
    "lower(login), lower(CASE WHEN (first_name != '') "
    "THEN first_name || ' ' || last_name ELSE last_name END), lower(email) FROM users",
    "CREATE TRIGGER user_search_insert AFTER INSERT ON users BEGIN "
    "INSERT INTO user_search (rowid, login, display_name, email) VALUES (new.id, "
    "lower(new.login), lower(CASE WHEN (new.first_name != '') "
    "THEN new.first_name || ' ' || new.last_name ELSE new.last_name END), lower(new.email)); "
    "END",
    "CREATE TRIGGER user_search_update "
    "AFTER UPDATE OF id, login, first_name, last_name, email ON users BEGIN "
    "DELETE FROM user_search WHERE rowid = old.id; "
    "INSERT INTO user_search (rowid, login, display_name, email) VALUES (new.id, "
    "lower(new.login), lower(CASE WHEN (new.first_name != '') "
    "THEN new.first_name || ' ' || new.last_name ELSE new.last_name END), lower(new.email)); "
    "END",
    "CREATE TRIGGER user_search_delete AFTER DELETE ON users BEGIN "
    "DELETE FROM user_search WHERE rowid = old.id; END",
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS user_search_insert",
    "DROP TRIGGER IF EXISTS user_search_update",
    "DROP TRIGGER IF EXISTS user_search_delete",
    "DROP TABLE IF EXISTS user_search",
)


def _postgresql_upgrade() -> None:
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as error:
        log.warning(
            "The users search index needs PostgreSQL's pg_trgm extension, which could "
            "not be created (%s); searches read every user until a superuser creates "
            "it and the index is made (POSTGRESQL_UPGRADE in this migration; "
            "docs/operators/postgresql.md).",
            type(error.orig).__name__,
        )
        return
    bind.execute(sa.text(POSTGRESQL_UPGRADE))


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _postgresql_upgrade()
    elif dialect == "sqlite":
        for statement in SQLITE_UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        # The extension stays: other databases' objects may use it.
        op.execute("DROP INDEX IF EXISTS ix_users_search")
    elif dialect == "sqlite":
        for statement in SQLITE_DOWNGRADE:
            op.execute(statement)

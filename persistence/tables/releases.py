"""Which releases may serve this database (a rolling upgrade runs two at once)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Integer, String, Table

from persistence.tables.columns import metadata

# One row: the oldest migration revision a release must know to serve the database.
# Expanding migrations leave it; a contracting one names itself (see 0009's module).
release_compatibility = Table(
    "release_compatibility",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("oldest_revision", String(32), nullable=False),
    CheckConstraint("id = 1", name="one_row"),
)

"""What resets removed or overwrote, kept for undoReset until it expires."""

from __future__ import annotations

from sqlalchemy import Column, String, Table

from persistence.tables.columns import (
    ENUM_LENGTH,
    LOGIN_LENGTH,
    UtcDateTime,
    id_column,
    indexed_reference,
    json_column,
    metadata,
)

# The reset's id as resetUsers answers it (domain/services/reset_undo.py makes it).
RESET_ID_LENGTH = 64

# One row per user and action of a reset; never a password, a PIN or another secret.
# A deleted user's rows go with the user.
reset_undo_records = Table(
    "reset_undo_records",
    metadata,
    id_column(),
    Column("reset_id", String(RESET_ID_LENGTH), nullable=False, index=True),
    indexed_reference("user_id", "users.id", nullable=False, ondelete="CASCADE"),
    Column("action", String(ENUM_LENGTH), nullable=False),
    Column("kept", json_column(), nullable=False),
    Column("kept_at", UtcDateTime(), nullable=False),
    # The purge removes the rows expired; an undo refuses them before.
    Column("expires_at", UtcDateTime(), nullable=False, index=True),
    Column("undone_at", UtcDateTime(), nullable=True),
    Column("undone_by", String(LOGIN_LENGTH), nullable=True),
)

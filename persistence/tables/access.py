"""Administrators and their locations, API tokens, sign-in sessions and failures, the audit."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Index,
    Integer,
    String,
    Table,
    false,
)

from persistence.tables.columns import (
    ENUM_LENGTH,
    HASH_LENGTH,
    LOGIN_LENGTH,
    NAME_LENGTH,
    UtcDateTime,
    id_column,
    indexed_reference,
    json_column,
    key_reference,
    metadata,
    person_columns,
)

# An IPv6 address with its zone, or a proxy's name for the client.
CLIENT_LENGTH = 64

administrators = Table(
    "administrators",
    metadata,
    id_column(),
    *person_columns(),
    Column("password_hash", String(HASH_LENGTH), nullable=False),
    Column("blocked", Boolean, nullable=False),
    # A default in the database: a release from before it still adds administrators.
    Column("password_change_required", Boolean, nullable=False, server_default=false()),
)

# No cascade from locations: deleting a location a sub-administrator is limited
# to must fail rather than silently widen that administrator's rights.
administrator_locations = Table(
    "administrator_locations",
    metadata,
    key_reference("administrator_id", "administrators.id", ondelete="CASCADE"),
    key_reference("location_id", "locations.id", index=True),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    id_column(),
    Column("name", String(NAME_LENGTH), nullable=False),
    indexed_reference("owner_id", "administrators.id", nullable=False, ondelete="CASCADE"),
    Column("token_hash", String(HASH_LENGTH), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_used_at", UtcDateTime(), nullable=True),
    Column("revoked_at", UtcDateTime(), nullable=True),
)

# A session belongs to a user or to an administrator; one foreign key each so
# that deleting either ends its sessions.
sign_in_sessions = Table(
    "sign_in_sessions",
    metadata,
    id_column(),
    Column("token_hash", String(HASH_LENGTH), nullable=False, unique=True),
    Column("subject", String(ENUM_LENGTH), nullable=False),
    indexed_reference("user_id", "users.id", nullable=True, ondelete="CASCADE"),
    indexed_reference("administrator_id", "administrators.id", nullable=True, ondelete="CASCADE"),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False, index=True),
    CheckConstraint(
        "(subject = 'USER' AND user_id IS NOT NULL AND administrator_id IS NULL)"
        " OR (subject = 'ADMINISTRATOR' AND administrator_id IS NOT NULL"
        " AND user_id IS NULL)",
        name="one_subject",
    ),
)

sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    id_column(),
    Column("key", String(LOGIN_LENGTH + 64), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    # The client's address ("" for failures from before addresses were kept).
    Column("client", String(CLIENT_LENGTH), nullable=False, server_default=""),
    Index("ix_sign_in_failures_key_at", "key", "at"),
)

# A login locked for one client address (sign-in lockouts, domain/services/lockout.py).
sign_in_lockouts = Table(
    "sign_in_lockouts",
    metadata,
    Column("key", String(LOGIN_LENGTH + 64), primary_key=True),
    Column("client", String(CLIENT_LENGTH), primary_key=True),
    Column("level", Integer, nullable=False),
    Column("locked_at", UtcDateTime(), nullable=False),
    Column("until", UtcDateTime(), nullable=False),
)

audit_events = Table(
    "audit_events",
    metadata,
    id_column(),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(LOGIN_LENGTH + 64), nullable=False),
    Column("action", String(NAME_LENGTH), nullable=False),
    Column("details", json_column(), nullable=False),
    indexed_reference("target_user_id", "users.id", nullable=True, ondelete="SET NULL"),
    # The location the event concerns (the user's, the group's, the location
    # itself): it outlives the user, so sub-administrators keep seeing the event.
    indexed_reference("location_id", "locations.id", nullable=True, ondelete="SET NULL"),
)

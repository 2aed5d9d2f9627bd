"""Locations, configuration groups, users, teams, relationships and contacts."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from persistence.tables.columns import (
    ENUM_LENGTH,
    HASH_LENGTH,
    LANGUAGE_LENGTH,
    NAME_LENGTH,
    PHONE_LENGTH,
    UtcDateTime,
    id_column,
    indexed_reference,
    json_column,
    key_reference,
    metadata,
    person_columns,
)

locations = Table(
    "locations",
    metadata,
    id_column(),
    Column("name", String(NAME_LENGTH), nullable=False, unique=True),
    Column("description", Text, nullable=True),
    Column("pw_min_length", Integer, nullable=False),
    Column("pw_max_length", Integer, nullable=False),
    Column("pw_require_uppercase", Boolean, nullable=False),
    Column("pw_require_lowercase", Boolean, nullable=False),
    Column("pw_require_digit", Boolean, nullable=False),
    Column("pw_require_symbol", Boolean, nullable=False),
    Column("default_relationship", String(ENUM_LENGTH), nullable=False),
    Column("relationship_policy", String(ENUM_LENGTH), nullable=False),
    Column("client_settings", json_column(), nullable=False),
    Column("presence_settings", json_column(), nullable=False),
    # NULL: the system's language; the sign-in hint is free text for the mails.
    Column("language", String(LANGUAGE_LENGTH), nullable=True),
    Column("sign_in_hint", Text, nullable=True),
    # NULL: a reset mails the password; true: a one-time link to set one instead.
    Column("password_link", Boolean, nullable=True),
    # NULL: off; true: its users may ask for a set-password link (forgot password).
    Column("forgot_password", Boolean, nullable=True),
)

configuration_groups = Table(
    "configuration_groups",
    metadata,
    id_column(),
    Column("location_id", Integer, ForeignKey("locations.id"), nullable=False),
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("description", Text, nullable=True),
    # NULL: inherits the location's.
    Column("default_relationship", String(ENUM_LENGTH), nullable=True),
    Column("client_settings", json_column(), nullable=True),
    Column("presence_settings", json_column(), nullable=True),
    UniqueConstraint("location_id", "name"),
)

users = Table(
    "users",
    metadata,
    id_column(),
    *person_columns(),
    Column("work_phone", String(PHONE_LENGTH), nullable=True, unique=True),
    Column("mobile_phone", String(PHONE_LENGTH), nullable=True),
    indexed_reference("location_id", "locations.id", nullable=False),
    indexed_reference("configuration_group_id", "configuration_groups.id", nullable=True),
    Column("is_vip", Boolean, nullable=False),
    Column("blocked", Boolean, nullable=False),
    Column("password_hash", String(HASH_LENGTH), nullable=True),
    Column("password_change_required", Boolean, nullable=False),
    Column("voicemail_pin_hash", String(HASH_LENGTH), nullable=True),
    Column("voicemail_pin_state", String(ENUM_LENGTH), nullable=False),
    Column("client_settings", json_column(), nullable=False),
    Column("presence_settings", json_column(), nullable=False),
    Column("temporary_password_expires_at", UtcDateTime(), nullable=True),
    Column("pin_failed_attempts", Integer, nullable=False, server_default=text("0")),
    Column("pin_locked_until", UtcDateTime(), nullable=True),
    # NULL: the location's language.
    Column("language", String(LANGUAGE_LENGTH), nullable=True),
)

teams = Table(
    "teams",
    metadata,
    id_column(),
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("description", Text, nullable=True),
    Column("relationship", String(ENUM_LENGTH), nullable=False),
)

team_members = Table(
    "team_members",
    metadata,
    key_reference("team_id", "teams.id", ondelete="CASCADE"),
    key_reference("user_id", "users.id", ondelete="CASCADE", index=True),
)

user_relationships = Table(
    "user_relationships",
    metadata,
    key_reference("owner_id", "users.id", ondelete="CASCADE"),
    key_reference("target_id", "users.id", ondelete="CASCADE", index=True),
    Column("level", String(ENUM_LENGTH), nullable=False),
)

directory_data_sources = Table(
    "directory_data_sources",
    metadata,
    id_column(),
    Column("name", String(NAME_LENGTH), nullable=False, unique=True),
    Column("active", Boolean, nullable=False),
)

contacts = Table(
    "contacts",
    metadata,
    id_column(),
    indexed_reference("owner_id", "users.id", nullable=False, ondelete="CASCADE"),
    Column("display_name", String(NAME_LENGTH * 2 + 1), nullable=False),
    indexed_reference(
        "data_source_id", "directory_data_sources.id", nullable=True, ondelete="CASCADE"
    ),
    Column("external_id", String(NAME_LENGTH), nullable=True),
    indexed_reference("user_id", "users.id", nullable=True, ondelete="CASCADE"),
)

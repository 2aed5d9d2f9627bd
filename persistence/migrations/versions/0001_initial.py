"""The initial schema: every table of ``persistence/tables.py``.

Revision ID: 0001
Revises:
Create Date: 2025-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "administrators",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("login", sa.String(length=200), nullable=False),
        sa.Column("first_name", sa.String(length=200), nullable=True),
        sa.Column("last_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_administrators")),
        sa.UniqueConstraint("login", name=op.f("uq_administrators_login")),
    )
    op.create_table(
        "directory_data_sources",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_data_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_directory_data_sources_name")),
    )
    op.create_table(
        "locations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("pw_min_length", sa.Integer(), nullable=False),
        sa.Column("pw_max_length", sa.Integer(), nullable=False),
        sa.Column("pw_require_uppercase", sa.Boolean(), nullable=False),
        sa.Column("pw_require_lowercase", sa.Boolean(), nullable=False),
        sa.Column("pw_require_digit", sa.Boolean(), nullable=False),
        sa.Column("pw_require_symbol", sa.Boolean(), nullable=False),
        sa.Column("default_relationship", sa.String(length=32), nullable=False),
        sa.Column("relationship_policy", sa.String(length=32), nullable=False),
        sa.Column("client_settings", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("presence_settings", sa.JSON(none_as_null=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
        sa.UniqueConstraint("name", name=op.f("uq_locations_name")),
    )
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=264), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
    )
    op.create_index("ix_sign_in_failures_key_at", "sign_in_failures", ["key", "at"], unique=False)
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("relationship", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
    )
    op.create_table(
        "administrator_locations",
        sa.Column("administrator_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["administrator_id"],
            ["administrators.id"],
            name=op.f("fk_administrator_locations_administrator_id_administrators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_administrator_locations_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint(
            "administrator_id", "location_id", name=op.f("pk_administrator_locations")
        ),
    )
    op.create_index(
        op.f("ix_administrator_locations_location_id"),
        "administrator_locations",
        ["location_id"],
        unique=False,
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["administrators.id"],
            name=op.f("fk_api_tokens_owner_id_administrators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_owner_id"), "api_tokens", ["owner_id"], unique=False)
    op.create_table(
        "configuration_groups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("default_relationship", sa.String(length=32), nullable=True),
        sa.Column("client_settings", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("presence_settings", sa.JSON(none_as_null=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_configuration_groups_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_configuration_groups")),
        sa.UniqueConstraint(
            "location_id", "name", name=op.f("uq_configuration_groups_location_id_name")
        ),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("login", sa.String(length=200), nullable=False),
        sa.Column("first_name", sa.String(length=200), nullable=True),
        sa.Column("last_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("work_phone", sa.String(length=64), nullable=True),
        sa.Column("mobile_phone", sa.String(length=64), nullable=True),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("configuration_group_id", sa.Integer(), nullable=True),
        sa.Column("is_vip", sa.Boolean(), nullable=False),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("password_change_required", sa.Boolean(), nullable=False),
        sa.Column("voicemail_pin_hash", sa.String(length=255), nullable=True),
        sa.Column("voicemail_pin_state", sa.String(length=32), nullable=False),
        sa.Column("client_settings", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("presence_settings", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("temporary_password_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pin_failed_attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("pin_locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["configuration_group_id"],
            ["configuration_groups.id"],
            name=op.f("fk_users_configuration_group_id_configuration_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_users_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("login", name=op.f("uq_users_login")),
        sa.UniqueConstraint("work_phone", name=op.f("uq_users_work_phone")),
    )
    op.create_index(
        op.f("ix_users_configuration_group_id"), "users", ["configuration_group_id"], unique=False
    )
    op.create_index(op.f("ix_users_location_id"), "users", ["location_id"], unique=False)
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=264), nullable=False),
        sa.Column("action", sa.String(length=200), nullable=False),
        sa.Column("details", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("target_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["target_user_id"],
            ["users.id"],
            name=op.f("fk_audit_events_target_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(
        op.f("ix_audit_events_target_user_id"), "audit_events", ["target_user_id"], unique=False
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=401), nullable=False),
        sa.Column("data_source_id", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["data_source_id"],
            ["directory_data_sources.id"],
            name=op.f("fk_contacts_data_source_id_directory_data_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_contacts_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_contacts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    op.create_index(
        op.f("ix_contacts_data_source_id"), "contacts", ["data_source_id"], unique=False
    )
    op.create_index(op.f("ix_contacts_owner_id"), "contacts", ["owner_id"], unique=False)
    op.create_index(op.f("ix_contacts_user_id"), "contacts", ["user_id"], unique=False)
    op.create_table(
        "sign_in_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("administrator_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(subject = 'USER' AND user_id IS NOT NULL AND administrator_id IS NULL) OR (subject = 'ADMINISTRATOR' AND administrator_id IS NOT NULL AND user_id IS NULL)",
            name=op.f("ck_sign_in_sessions_one_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["administrator_id"],
            ["administrators.id"],
            name=op.f("fk_sign_in_sessions_administrator_id_administrators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_sign_in_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sign_in_sessions_token_hash")),
    )
    op.create_index(
        op.f("ix_sign_in_sessions_administrator_id"),
        "sign_in_sessions",
        ["administrator_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sign_in_sessions_expires_at"), "sign_in_sessions", ["expires_at"], unique=False
    )
    op.create_index(
        op.f("ix_sign_in_sessions_user_id"), "sign_in_sessions", ["user_id"], unique=False
    )
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_members_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_team_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_team_members")),
    )
    op.create_index(op.f("ix_team_members_user_id"), "team_members", ["user_id"], unique=False)
    op.create_table(
        "user_relationships",
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_user_relationships_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["users.id"],
            name=op.f("fk_user_relationships_target_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("owner_id", "target_id", name=op.f("pk_user_relationships")),
    )
    op.create_index(
        op.f("ix_user_relationships_target_id"), "user_relationships", ["target_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_user_relationships_target_id"), table_name="user_relationships")
    op.drop_table("user_relationships")
    op.drop_index(op.f("ix_team_members_user_id"), table_name="team_members")
    op.drop_table("team_members")
    op.drop_index(op.f("ix_sign_in_sessions_user_id"), table_name="sign_in_sessions")
    op.drop_index(op.f("ix_sign_in_sessions_expires_at"), table_name="sign_in_sessions")
    op.drop_index(op.f("ix_sign_in_sessions_administrator_id"), table_name="sign_in_sessions")
    op.drop_table("sign_in_sessions")
    op.drop_index(op.f("ix_contacts_user_id"), table_name="contacts")
    op.drop_index(op.f("ix_contacts_owner_id"), table_name="contacts")
    op.drop_index(op.f("ix_contacts_data_source_id"), table_name="contacts")
    op.drop_table("contacts")
    op.drop_index(op.f("ix_audit_events_target_user_id"), table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_index(op.f("ix_users_location_id"), table_name="users")
    op.drop_index(op.f("ix_users_configuration_group_id"), table_name="users")
    op.drop_table("users")
    op.drop_table("configuration_groups")
    op.drop_index(op.f("ix_api_tokens_owner_id"), table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_index(
        op.f("ix_administrator_locations_location_id"), table_name="administrator_locations"
    )
    op.drop_table("administrator_locations")
    op.drop_table("teams")
    op.drop_index("ix_sign_in_failures_key_at", table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
    op.drop_table("locations")
    op.drop_table("directory_data_sources")
    op.drop_table("administrators")

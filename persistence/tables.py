"""The database schema as SQLAlchemy Core tables.

The migrations in ``versions/`` (0001 and the ones after it) create exactly
this; a test compares the two.
Enums are stored as the enum member's name, settings as JSON, datetimes as
UTC (see :class:`UtcDateTime`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

ENUM_LENGTH = 32
NAME_LENGTH = 200
LOGIN_LENGTH = 200
PHONE_LENGTH = 64
EMAIL_LENGTH = 320
HASH_LENGTH = 255
HOST_LENGTH = 255
MESSAGE_ID_LENGTH = 255
# A claim token: uuid4().hex.
CLAIM_TOKEN_LENGTH = 32


class UtcDateTime(TypeDecorator[datetime]):
    """Stores UTC; always returns timezone-aware UTC datetimes.

    A naive datetime is refused: the domain's clock is timezone-aware, and a
    naive value would be ambiguous. SQLite keeps no zone, so the value goes
    in as naive UTC and comes back marked UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: use a timezone-aware datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _json() -> JSON:
    # none_as_null: Python None is SQL NULL (a group that inherits), not JSON 'null'.
    return JSON(none_as_null=True)


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True, autoincrement=True)


locations = Table(
    "locations",
    metadata,
    _id(),
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
    Column("client_settings", _json(), nullable=False),
    Column("presence_settings", _json(), nullable=False),
)

configuration_groups = Table(
    "configuration_groups",
    metadata,
    _id(),
    Column("location_id", Integer, ForeignKey("locations.id"), nullable=False),
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("description", Text, nullable=True),
    # NULL: inherits the location's.
    Column("default_relationship", String(ENUM_LENGTH), nullable=True),
    Column("client_settings", _json(), nullable=True),
    Column("presence_settings", _json(), nullable=True),
    UniqueConstraint("location_id", "name"),
)

users = Table(
    "users",
    metadata,
    _id(),
    Column("login", String(LOGIN_LENGTH), nullable=False, unique=True),
    Column("first_name", String(NAME_LENGTH), nullable=True),
    Column("last_name", String(NAME_LENGTH), nullable=False),
    Column("email", String(EMAIL_LENGTH), nullable=True),
    Column("work_phone", String(PHONE_LENGTH), nullable=True, unique=True),
    Column("mobile_phone", String(PHONE_LENGTH), nullable=True),
    Column("location_id", Integer, ForeignKey("locations.id"), nullable=False, index=True),
    Column(
        "configuration_group_id",
        Integer,
        ForeignKey("configuration_groups.id"),
        nullable=True,
        index=True,
    ),
    Column("is_vip", Boolean, nullable=False),
    Column("blocked", Boolean, nullable=False),
    Column("password_hash", String(HASH_LENGTH), nullable=True),
    Column("password_change_required", Boolean, nullable=False),
    Column("voicemail_pin_hash", String(HASH_LENGTH), nullable=True),
    Column("voicemail_pin_state", String(ENUM_LENGTH), nullable=False),
    Column("client_settings", _json(), nullable=False),
    Column("presence_settings", _json(), nullable=False),
    Column("temporary_password_expires_at", UtcDateTime(), nullable=True),
    Column("pin_failed_attempts", Integer, nullable=False, server_default=text("0")),
    Column("pin_locked_until", UtcDateTime(), nullable=True),
)

teams = Table(
    "teams",
    metadata,
    _id(),
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("description", Text, nullable=True),
    Column("relationship", String(ENUM_LENGTH), nullable=False),
)

team_members = Table(
    "team_members",
    metadata,
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "user_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)

user_relationships = Table(
    "user_relationships",
    metadata,
    Column("owner_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "target_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    Column("level", String(ENUM_LENGTH), nullable=False),
)

directory_data_sources = Table(
    "directory_data_sources",
    metadata,
    _id(),
    Column("name", String(NAME_LENGTH), nullable=False, unique=True),
    Column("active", Boolean, nullable=False),
)

contacts = Table(
    "contacts",
    metadata,
    _id(),
    Column(
        "owner_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("display_name", String(NAME_LENGTH * 2 + 1), nullable=False),
    Column(
        "data_source_id",
        Integer,
        ForeignKey("directory_data_sources.id", ondelete="CASCADE"),
        nullable=True,
        index=True,
    ),
    Column("external_id", String(NAME_LENGTH), nullable=True),
    Column(
        "user_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=True,
        index=True,
    ),
)

administrators = Table(
    "administrators",
    metadata,
    _id(),
    Column("login", String(LOGIN_LENGTH), nullable=False, unique=True),
    Column("first_name", String(NAME_LENGTH), nullable=True),
    Column("last_name", String(NAME_LENGTH), nullable=False),
    Column("email", String(EMAIL_LENGTH), nullable=True),
    Column("password_hash", String(HASH_LENGTH), nullable=False),
    Column("blocked", Boolean, nullable=False),
)

# No cascade from locations: deleting a location a sub-administrator is limited
# to must fail rather than silently widen that administrator's rights.
administrator_locations = Table(
    "administrator_locations",
    metadata,
    Column(
        "administrator_id",
        Integer,
        ForeignKey("administrators.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("location_id", Integer, ForeignKey("locations.id"), primary_key=True, index=True),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    _id(),
    Column("name", String(NAME_LENGTH), nullable=False),
    Column(
        "owner_id",
        Integer,
        ForeignKey("administrators.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
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
    _id(),
    Column("token_hash", String(HASH_LENGTH), nullable=False, unique=True),
    Column("subject", String(ENUM_LENGTH), nullable=False),
    Column(
        "user_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=True,
        index=True,
    ),
    Column(
        "administrator_id",
        Integer,
        ForeignKey("administrators.id", ondelete="CASCADE"),
        nullable=True,
        index=True,
    ),
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
    _id(),
    Column("key", String(LOGIN_LENGTH + 64), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Index("ix_sign_in_failures_key_at", "key", "at"),
)

audit_events = Table(
    "audit_events",
    metadata,
    _id(),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(LOGIN_LENGTH + 64), nullable=False),
    Column("action", String(NAME_LENGTH), nullable=False),
    Column("details", _json(), nullable=False),
    Column(
        "target_user_id",
        Integer,
        ForeignKey("users.id", ondelete="SET NULL"),
        nullable=True,
        index=True,
    ),
    # The location the event concerns (the user's, the group's, the location
    # itself): it outlives the user, so sub-administrators keep seeing the event.
    Column(
        "location_id",
        Integer,
        ForeignKey("locations.id", ondelete="SET NULL"),
        nullable=True,
        index=True,
    ),
)

# System settings > E-Mail Gateway: at most one row, its id fixed to 1.
email_gateway = Table(
    "email_gateway",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("host", String(HOST_LENGTH), nullable=False),
    Column("port", Integer, nullable=False),
    Column("security", String(ENUM_LENGTH), nullable=False),
    Column("sender_address", String(EMAIL_LENGTH), nullable=False),
    Column("sender_name", String(NAME_LENGTH), nullable=True),
    Column("username", String(EMAIL_LENGTH), nullable=True),
    # Encrypted with the SecretBox; never the plain password.
    Column("password_ciphertext", Text, nullable=True),
    CheckConstraint("id = 1", name="single_row"),
)

# The transactional outbox: mail stored with the change it reports, sent later
# by a dispatcher that claims due rows (see SqlOutboxRepository.claim_due).
outbox = Table(
    "outbox",
    metadata,
    _id(),
    Column("kind", String(ENUM_LENGTH), nullable=False),
    Column("recipient", String(EMAIL_LENGTH), nullable=False),
    Column("message_id", String(MESSAGE_ID_LENGTH), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    # What the text names (login, display name); never a secret.
    Column("context", _json(), nullable=False),
    # The password or PIN, encrypted; erased once sent or finally failed.
    Column("secret_ciphertext", Text, nullable=True),
    Column(
        "target_user_id",
        Integer,
        ForeignKey("users.id", ondelete="SET NULL"),
        nullable=True,
        index=True,
    ),
    Column("status", String(ENUM_LENGTH), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("claimed_until", UtcDateTime(), nullable=True),
    # Names the claim; a dispatcher writes only rows that still carry its token.
    Column("claim_token", String(CLAIM_TOKEN_LENGTH), nullable=True),
    Column("last_reply_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("sent_at", UtcDateTime(), nullable=True),
    # The dispatcher's claim: pending rows by due time.
    Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
)

__all__ = [
    "NAMING_CONVENTION",
    "UtcDateTime",
    "administrator_locations",
    "administrators",
    "api_tokens",
    "audit_events",
    "configuration_groups",
    "contacts",
    "directory_data_sources",
    "email_gateway",
    "locations",
    "metadata",
    "outbox",
    "sign_in_failures",
    "sign_in_sessions",
    "team_members",
    "teams",
    "user_relationships",
    "users",
]


# Responses kept for requests that carried an Idempotency-Key header.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    # The caller (a hash of its credentials) and the key it chose.
    Column("scope", String(64), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False, index=True),
    # Null while the first request with the key still runs.
    Column("status_code", Integer, nullable=True),
    Column("content_type", String(100), nullable=True),
    Column("response", Text, nullable=True),
)


# Progress of long operations (resetUsers with an operationId), for the
# resetProgress subscribers of every worker process. Short-lived: a record is
# forgotten a few minutes after its last update. No foreign key to the caller:
# the record outlives nothing and is gone with time.
operation_progress = Table(
    "operation_progress",
    metadata,
    Column("caller_id", Integer, primary_key=True, autoincrement=False),
    Column("operation_id", String(128), primary_key=True),
    # Which start of the operation: an id may be used again once its run finished.
    Column("run_id", String(32), nullable=False),
    # Null until the first report.
    Column("done", Integer, nullable=True),
    Column("total", Integer, nullable=True),
    Column("finished", Boolean, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False, index=True),
    # The finished run this one replaced, for subscribers that followed it.
    Column("previous_run_id", String(32), nullable=True),
    Column("previous_done", Integer, nullable=True),
    Column("previous_total", Integer, nullable=True),
)


# The query cost budget of each caller (a token bucket), for every worker and host.
cost_budgets = Table(
    "cost_budgets",
    metadata,
    # A hash of the caller's session or API token (gql/limits/budget.py), never the token.
    Column("caller", String(64), primary_key=True),
    # Points left at refilled_at.
    Column("tokens", Float, nullable=False),
    # Seconds since the epoch: refilling is arithmetic on it in SQL, alike on every
    # backend. Not indexed: it changes on every request, and an index would cost a
    # write each time (and PostgreSQL's HOT updates); the rare purge scans.
    Column("refilled_at", Float, nullable=False),
    # Whether the last request got its points.
    Column("granted", Boolean, nullable=False),
)

"""The E-Mail Gateway's settings and the outbox of mail to send."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from persistence.tables.columns import (
    EMAIL_LENGTH,
    ENUM_LENGTH,
    HOST_LENGTH,
    LANGUAGE_LENGTH,
    MESSAGE_ID_LENGTH,
    NAME_LENGTH,
    UtcDateTime,
    claim_columns,
    id_column,
    indexed_reference,
    json_column,
    metadata,
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
    id_column(),
    Column("kind", String(ENUM_LENGTH), nullable=False),
    Column("recipient", String(EMAIL_LENGTH), nullable=False),
    Column("message_id", String(MESSAGE_ID_LENGTH), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    # What the text names (login, display name); never a secret.
    Column("context", json_column(), nullable=False),
    # The password or PIN, encrypted; erased once sent or finally failed.
    Column("secret_ciphertext", Text, nullable=True),
    indexed_reference("target_user_id", "users.id", nullable=True, ondelete="SET NULL"),
    *claim_columns(),
    Column("last_reply_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("sent_at", UtcDateTime(), nullable=True),
    # The dispatcher's claim: pending rows by due time.
    Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
)

# A location's own text of one kind of mail in one language (the built-in one
# otherwise); removed with its location.
mail_templates = Table(
    "mail_templates",
    metadata,
    id_column(),
    indexed_reference("location_id", "locations.id", nullable=False, ondelete="CASCADE"),
    Column("kind", String(ENUM_LENGTH), nullable=False),
    Column("language", String(LANGUAGE_LENGTH), nullable=False),
    Column("subject", Text, nullable=False),
    Column("html", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=True),
    Column("updated_by", String(NAME_LENGTH), nullable=True),
    UniqueConstraint("location_id", "kind", "language"),
)

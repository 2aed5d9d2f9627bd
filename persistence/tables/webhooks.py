"""The administrators' webhook endpoints and the outbox of deliveries to them."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text

from persistence.tables.columns import (
    ENUM_LENGTH,
    MESSAGE_ID_LENGTH,
    NAME_LENGTH,
    UtcDateTime,
    claim_columns,
    id_column,
    indexed_reference,
    json_column,
    metadata,
)

URL_LENGTH = 2048

# An endpoint goes with its administrator; its secret is encrypted with the SecretBox.
webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    id_column(),
    indexed_reference("owner_id", "administrators.id", nullable=False, ondelete="CASCADE"),
    Column("url", String(URL_LENGTH), nullable=False),
    Column("description", String(NAME_LENGTH), nullable=False),
    # The event types subscribed to, by name: a JSON list.
    Column("events", json_column(), nullable=False),
    Column("secret_ciphertext", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("consecutive_failures", Integer, nullable=False),
    Column("disabled_at", UtcDateTime(), nullable=True),
)

# The deliveries' outbox: queued with the audit event they report, claimed by a
# dispatcher as the mail outbox is (SqlWebhookRepository.claim_due).
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    id_column(),
    indexed_reference("endpoint_id", "webhook_endpoints.id", nullable=False, ondelete="CASCADE"),
    Column("message_id", String(MESSAGE_ID_LENGTH), nullable=False, unique=True),
    Column("event_type", String(ENUM_LENGTH), nullable=False),
    # The JSON body, exactly as signed and sent; never a secret.
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    *claim_columns(),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("last_attempt_at", UtcDateTime(), nullable=True),
    Column("delivered_at", UtcDateTime(), nullable=True),
    Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
)

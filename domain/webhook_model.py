"""Webhooks: the endpoints administrators register, and the deliveries to them.

A delivery is queued in the transaction of the audit event it reports (an outbox,
like the mail's) and sent later by the dispatcher, signed as the Standard Webhooks
specification says (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class WebhookEventType(enum.Enum):
    """What an endpoint may subscribe to; the value is the payload's ``type``. Each is
    an audit event of the same name (``PING`` alone is none: ``pingWebhookEndpoint``)."""

    USER_RESET = "user.reset"
    RESET_UNDONE = "reset.undone"
    MAIL_SENT = "mail.sent"
    MAIL_FAILED = "mail.failed"
    ADMINISTRATOR_CREATED = "administrator.created"
    ADMINISTRATOR_BLOCKED = "administrator.blocked"
    ADMINISTRATOR_UNBLOCKED = "administrator.unblocked"
    ADMINISTRATOR_DELETED = "administrator.deleted"
    PING = "webhook.ping"


class WebhookDeliveryStatus(enum.Enum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"


@dataclass
class WebhookEndpoint:
    """An administrator's receiver. The secret signs every delivery: encrypted at rest
    (it must be read to sign), shown once when the endpoint is made. It receives what
    its owner would read in the audit log, of the events it subscribed to."""

    owner_id: int
    url: str
    events: frozenset[WebhookEventType]
    secret_ciphertext: str
    created_at: datetime
    description: str = ""
    active: bool = True
    # Failed attempts in a row; at the configured number the endpoint is switched off.
    consecutive_failures: int = 0
    disabled_at: datetime | None = None
    id: int = 0


@dataclass
class WebhookDelivery:
    """One message to one endpoint. ``message_id`` is its ``webhook-id``, the same at
    every attempt, so a receiver recognises a repeat; ``body`` the JSON sent, exactly."""

    endpoint_id: int
    message_id: str
    event_type: WebhookEventType
    body: str
    created_at: datetime
    next_attempt_at: datetime
    status: WebhookDeliveryStatus = WebhookDeliveryStatus.PENDING
    attempts: int = 0
    claimed_until: datetime | None = None
    claim_token: str | None = None
    # The receiver's HTTP status of the last attempt; None if it gave none.
    last_status_code: int | None = None
    last_error: str | None = None
    last_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    id: int = 0

"""Standard Webhooks signatures (https://www.standardwebhooks.com): a few lines of hmac.

The secret is ``whsec_`` and the base64 of the key; the signature of a message is
``v1,`` and the base64 of HMAC-SHA256 over ``{webhook-id}.{webhook-timestamp}.{body}``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

SECRET_PREFIX = "whsec_"


def new_secret(random_token: str) -> str:
    """A secret in the specification's form, from an unguessable token."""
    return SECRET_PREFIX + base64.b64encode(random_token.encode()).decode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, message_id: str, at: datetime, body: bytes) -> dict[str, str]:
    """The request's headers: the three of the specification and the content type."""
    timestamp = int(at.timestamp())
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }

"""Sending mail: what the mail adapter (mail/) needs and answers."""

from __future__ import annotations

import builtins
import enum
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from domain.model import MailKind, SmtpSecurity

__all__ = [
    "Delivery",
    "DeliveryOutcome",
    "MailConnection",
    "MailMessage",
    "MailSender",
    "SmtpSettings",
]


@dataclass(frozen=True)
class SmtpSettings:
    """The gateway as the mail adapter needs it, password decrypted."""

    host: str
    port: int
    security: SmtpSecurity
    sender_address: str
    sender_name: str | None = None
    username: str | None = None
    password: str | None = None


@dataclass(frozen=True)
class MailMessage:
    """One message to render and send. ``secret`` is the password or PIN, if any."""

    message_id: str
    kind: MailKind
    recipient: str
    context: dict[str, object]
    secret: str | None = None


class DeliveryOutcome(enum.Enum):
    SENT = "SENT"
    # 4xx, timeout, refused or dropped connection: try again later.
    RETRY = "RETRY"
    # 5xx: the server will never take this message.
    FAILED = "FAILED"


@dataclass(frozen=True)
class Delivery:
    outcome: DeliveryOutcome
    reply_code: int | None
    # The server's answer or the connection problem; never message content.
    detail: str


class MailConnection(Protocol):
    async def send(self, message: MailMessage) -> Delivery:
        """Sends one message and answers once the server replied to it. Once the
        connection failed (refused, timeout, TLS, AUTH, dropped, cancelled), every
        further message gets that failure's RETRY without being tried."""
        ...


class MailSender(Protocol):
    def connect(self, smtp: SmtpSettings) -> AbstractAsyncContextManager[MailConnection]:
        """One SMTP connection for the block, opened with the first message sent
        on it and closed at the end of the block."""
        ...

    async def send(
        self, smtp: SmtpSettings, messages: Sequence[MailMessage]
    ) -> builtins.list[Delivery]:
        """Sends the messages over one SMTP connection; one Delivery per message,
        in order. A failure of the connection itself (refused, timeout, TLS or
        AUTH refused with 4xx) answers RETRY for every message not yet sent."""
        ...

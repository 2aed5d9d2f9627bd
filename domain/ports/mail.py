"""Sending mail: what the mail adapter (mail/) needs and answers."""

from __future__ import annotations

import builtins
import enum
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from domain.model import MailKind, SmtpConnection

__all__ = [
    "Delivery",
    "DeliveryOutcome",
    "MailConnection",
    "MailMessage",
    "MailSender",
    "MailTemplateEngine",
    "RenderedMail",
    "SmtpSettings",
    "TemplateFault",
    "TemplateProblem",
    "TemplateSource",
]


@dataclass(frozen=True)
class SmtpSettings(SmtpConnection):
    """The gateway as the mail adapter needs it, password decrypted."""

    password: str | None = None


@dataclass(frozen=True)
class TemplateSource:
    """The three parts of a mail as Jinja templates."""

    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class MailMessage:
    """One message to render and send. ``secret`` is the password or PIN, if any;
    ``template`` the location's own text, else the built-in one is sent."""

    message_id: str
    kind: MailKind
    recipient: str
    context: dict[str, object]
    secret: str | None = None
    language: str = "en"
    template: TemplateSource | None = None


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str
    # The location's template failed to render and the built-in one was used: why
    # (the error's kind and place, never a value).
    fallback: str | None = None


class TemplateFault(enum.Enum):
    SYNTAX = "SYNTAX"
    UNKNOWN_VARIABLE = "UNKNOWN_VARIABLE"
    UNSAFE = "UNSAFE"
    RENDER_FAILED = "RENDER_FAILED"


@dataclass(frozen=True)
class TemplateProblem:
    """Why a template cannot be saved: its part (subject, html, text) and the problem."""

    part: str
    fault: TemplateFault
    message: str


class MailTemplateEngine(Protocol):
    """Renders the mails: the built-in texts in every language, a location's own."""

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages there is a message catalogue for."""
        ...

    def problems(self, kind: MailKind, source: TemplateSource) -> builtins.list[TemplateProblem]:
        """What keeps the template from rendering (syntax, a variable the kind has not,
        an unsafe attribute, a line break in the subject); empty when it renders."""
        ...

    def sample(
        self, kind: MailKind, *, location: str, sign_in_hint: str | None
    ) -> tuple[dict[str, object], str | None]:
        """A sample message's context and secret, for previews and test sends."""
        ...

    def render(self, message: MailMessage) -> RenderedMail:
        """The message's texts; a failing ``template`` falls back to the built-in one."""
        ...


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
    # The location's template failed and the built-in one was sent: why.
    template_fallback: str | None = None


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

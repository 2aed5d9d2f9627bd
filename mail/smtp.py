"""The SMTP adapter of :class:`domain.ports.MailSender`, on the ``emails``
package's async backend (aiosmtplib underneath).

``connect()`` is one connection (opened with its first message), on which the
dispatcher sends message by message, recording each outcome before the next;
``send()`` sends a list over one connection. Certificates are always verified
(STARTTLS and implicit TLS). Each message gets one :class:`Delivery`:

- accepted (250): SENT;
- a recipient address that cannot be sent to (``domain.addresses``: non-ASCII
  before the @, no domain name; stored before today's rules): FAILED before
  anything is sent; an international domain goes in its ASCII form (xn--…);
- the client library failing on one message (an exception that is no connection
  error): FAILED for that message alone, the next one goes over a new connection;
- a 5xx reply to MAIL, RCPT or DATA: FAILED, with the code;
- a 4xx reply: RETRY, with the code (a 421 also ends the connection, so the
  messages after it are RETRY too);
- the connection failing (refused, timeout, dropped, TLS, a 4xx greeting or AUTH
  reply): RETRY for every message not yet sent;
- a send cancelled midway (the dispatcher's claim ran out): the connection is
  closed without QUIT, RETRY for every later message;
- AUTH refused, even with 5xx (535): RETRY for every message. The gateway's
  settings are wrong, not the messages; an administrator can correct the
  password within the day the outbox keeps trying, and no queued credential
  is lost meanwhile. The detail says what to fix.

A ``detail`` carries the server's reply or the exception's class and message,
never message content nor the password. A message whose connection broke after
DATA may reach the recipient and still be RETRY; its stable Message-ID lets the
duplicate be recognised.
"""

from __future__ import annotations

import builtins
import contextlib
import logging
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, replace
from email.utils import parseaddr
from types import TracebackType
from typing import Any, Self

import aiosmtplib
from emails.backend.smtp.aio_backend import AsyncSMTPBackend
from emails.message import Message

from domain.addresses import NotAnAddress, ascii_mail_address
from domain.model import SmtpSecurity
from domain.ports import Delivery, DeliveryOutcome, MailMessage, SmtpSettings
from mail.render import MailRenderError, render

logger = logging.getLogger("connect_admin.mail")

DEFAULT_TIMEOUT_SECONDS = 30.0

# The errors a connection or a transaction can end with; others are bugs and propagate.
_CONNECTION_ERRORS = (aiosmtplib.SMTPException, OSError, TimeoutError)

_COMMANDS = {"mail": "sender refused", "rcpt": "recipient refused", "data": "message refused"}


@dataclass(frozen=True)
class _BuiltMessage:
    """What the backend's ``sendmail`` needs of a message: its bytes, built once, and
    the recipient as the envelope carries it."""

    raw: bytes
    recipient: str

    def as_bytes(self) -> bytes:
        return self.raw


class SmtpMailSender:
    """Implements :class:`domain.ports.MailSender`.

    ``ssl_context`` verifies the server (default: the system's trusted CAs, host
    name checked); tests pass one trusting their own certificate. ``timeout`` is
    in seconds, for connecting and for each SMTP command.
    """

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self._ssl_context = ssl_context if ssl_context is not None else ssl.create_default_context()
        self._timeout = timeout

    def connect(self, smtp: SmtpSettings) -> SmtpConnection:
        return SmtpConnection(self._backend(smtp), smtp)

    async def send(
        self, smtp: SmtpSettings, messages: Sequence[MailMessage]
    ) -> builtins.list[Delivery]:
        async with self.connect(smtp) as connection:
            return [await connection.send(message) for message in messages]

    def _backend(self, smtp: SmtpSettings) -> AsyncSMTPBackend:
        options: dict[str, Any] = {
            "host": smtp.host,
            "port": smtp.port,
            # emails: ssl = implicit TLS, tls = STARTTLS (required, never opportunistic).
            "ssl": smtp.security is SmtpSecurity.TLS,
            "tls": smtp.security is SmtpSecurity.STARTTLS,
            "timeout": self._timeout,
            # Passed on to aiosmtplib.SMTP.
            "tls_context": self._ssl_context,
            # None: aiosmtplib looks up the FQDN in a thread; emails' default would
            # call socket.getfqdn() on the event loop.
            "local_hostname": None,
            # Connection errors come back in the response instead of being raised.
            "fail_silently": True,
        }
        if smtp.username:
            options["user"] = smtp.username
            options["password"] = smtp.password or ""
        return AsyncSMTPBackend(**options)


class SmtpConnection:
    """Implements :class:`domain.ports.MailConnection`: one SMTP
    connection, opened with the first message that could be built, closed (QUIT)
    at the end of the ``async with`` block."""

    def __init__(self, backend: AsyncSMTPBackend, smtp: SmtpSettings) -> None:
        self._backend = backend
        self._smtp = smtp
        self._client: Any = None
        # Once set, the connection is gone: every later message gets this.
        self._failure: Delivery | None = None
        # Cancelled in the middle of a transaction: no QUIT, the server waits for data.
        self._interrupted = False

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await _close(self._backend, self._client, polite=not self._interrupted)

    async def send(self, message: MailMessage) -> Delivery:
        try:
            built, fallback = _build(self._smtp, message)
        except (InvalidAddressError, MailRenderError) as error:
            return Delivery(DeliveryOutcome.FAILED, None, str(error))
        except Exception as error:
            # Never deliverable as it is; the detail names no content.
            return Delivery(
                DeliveryOutcome.FAILED,
                None,
                f"the message could not be built: {type(error).__name__}",
            )
        if self._failure is not None:
            return self._failure
        try:
            delivery = await self._send(built.recipient, built)
        except Exception as error:
            # Something of this message the client library could not handle: it fails
            # alone, and the next message goes over a fresh connection, since this
            # one's transaction may be half done.
            logger.warning("a message could not be sent (%s); it fails alone", type(error).__name__)
            with contextlib.suppress(Exception):
                await _close(self._backend, self._client, polite=False)
            self._client = self._backend._client = None
            return Delivery(
                DeliveryOutcome.FAILED,
                None,
                f"the message could not be sent: {type(error).__name__}",
            )
        except BaseException:
            # Cancelled (a deadline): the transaction's state is unknown.
            self._interrupted = True
            self._failure = Delivery(
                DeliveryOutcome.RETRY, None, "the connection was interrupted while sending"
            )
            raise
        return delivery if fallback is None else replace(delivery, template_fallback=fallback)

    async def _send(self, recipient: str, built: _BuiltMessage) -> Delivery:
        smtp, backend = self._smtp, self._backend
        if self._client is None:
            try:
                # Connect, EHLO, STARTTLS and AUTH now, so their failure is told apart.
                self._client = await backend.get_client()
            except _CONNECTION_ERRORS as error:
                self._failure = _connection_failure(smtp, error)
                return self._failure
        try:
            response = await backend.sendmail(
                from_addr=smtp.sender_address, to_addrs=[recipient], msg=built
            )
        except _CONNECTION_ERRORS as error:
            self._failure = _connection_failure(smtp, error)
            return self._failure
        self._client = backend._client or self._client  # a reconnect makes a new client
        delivery, connection_lost = _classify(smtp, response)
        if connection_lost:
            self._failure = delivery
        return delivery


class InvalidAddressError(ValueError):
    """Not a plain address (``local@domain``); never sent."""


def _plain_address(address: str) -> str:
    """The address for the envelope and the To header: its domain in ASCII form.

    emails and aiosmtplib would both quietly send to the first address they can
    parse out of a malformed one, and aiosmtplib fails in the middle of the
    transaction on a non-ASCII one; refuse both before the message is sent.
    Addresses stored before today's rules (``domain.addresses``) can be either.
    """
    if (
        not address
        or any(c.isspace() or not c.isprintable() for c in address)
        or parseaddr(address)[1] != address
    ):
        raise InvalidAddressError(f"the recipient address is not valid: {address!r}")
    try:
        return ascii_mail_address(address)
    except NotAnAddress as error:
        raise InvalidAddressError(
            f"the recipient address cannot be sent to: {address!r}: {error}"
        ) from None


def _build(smtp: SmtpSettings, message: MailMessage) -> tuple[_BuiltMessage, str | None]:
    """The message's bytes, and why the built-in text replaced the location's, if it did.
    ``emails`` encodes the headers (RFC 2047) and the parts (UTF-8) as they need."""
    recipient = _plain_address(message.recipient)
    rendered = render(message)
    message_id = message.message_id
    if not message_id.startswith("<"):
        message_id = f"<{message_id}>"
    sender: str | tuple[str, str] = (
        (smtp.sender_name, smtp.sender_address) if smtp.sender_name else smtp.sender_address
    )
    built = Message(
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        mail_from=sender,
        mail_to=recipient,
        message_id=message_id,
        # Date: emails stamps the current time when the message is built.
    )
    return _BuiltMessage(built.as_bytes(), recipient), rendered.fallback


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    return " ".join(value.split())


def _classify(smtp: SmtpSettings, response: Any) -> tuple[Delivery, bool]:
    """The delivery of one message from emails' response, and whether the connection
    is gone (so the messages after it were not tried)."""
    code: int | None = response.status_code
    if code is None:
        # The backend reconnected after a drop, and that failed.
        error = response.error
        if isinstance(error, Exception):
            return _connection_failure(smtp, error), True
        return Delivery(DeliveryOutcome.RETRY, None, "the connection was lost"), True
    text = _text(response.status_text)
    command = response.last_command or ""
    if response.success:
        return Delivery(DeliveryOutcome.SENT, code, f"accepted: {text}"), False
    detail = f"{_COMMANDS.get(command, command)}: {text}"
    if 500 <= code <= 599:
        return Delivery(DeliveryOutcome.FAILED, code, detail), False
    # 421: the server closes the connection; aiosmtplib has closed its side.
    return Delivery(DeliveryOutcome.RETRY, code, detail), code == 421


def _connection_failure(smtp: SmtpSettings, error: BaseException) -> Delivery:
    where = f"{smtp.host}:{smtp.port}"
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        reply = f"{error.code} {_text(error.message)}"
        if 500 <= error.code <= 599:
            return Delivery(
                DeliveryOutcome.RETRY,
                error.code,
                f"{where} refused the sign-in of {smtp.username!r} (AUTH): {reply}; "
                "check the user name and password of the E-Mail Gateway",
            )
        return Delivery(
            DeliveryOutcome.RETRY, error.code, f"{where} refused the sign-in for now: {reply}"
        )
    if isinstance(error, aiosmtplib.SMTPResponseException):
        # A greeting, EHLO or STARTTLS reply that is not a success.
        return Delivery(
            DeliveryOutcome.RETRY,
            error.code,
            f"{where} answered {error.code} {_text(error.message)}",
        )
    return Delivery(DeliveryOutcome.RETRY, None, f"{where}: {_describe(error)}")


def _describe(error: BaseException) -> str:
    message = _text(str(error))
    if not message and isinstance(error, OSError) and error.strerror:
        message = _text(error.strerror)  # emails' SMTPConnectNetworkError has no args
    described = f"{type(error).__name__}: {message}"
    cause = error.__cause__
    if cause is not None and _text(str(cause)) not in described:
        described += f" ({type(cause).__name__}: {_text(str(cause))})"
    return described


async def _close(backend: AsyncSMTPBackend, client: Any, *, polite: bool) -> None:
    """QUIT (when ``polite``), and make sure the transport is closed whatever the
    server answered (emails keeps it open when QUIT gets an unexpected reply)."""
    current = backend._client or client
    try:
        if polite and current is not None:
            await backend.close()
    finally:
        for candidate in {id(c): c for c in (client, current) if c is not None}.values():
            connection = getattr(candidate, "_smtp", None)
            if connection is not None and connection.is_connected:
                connection.close()

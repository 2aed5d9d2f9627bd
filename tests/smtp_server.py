"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, on a port the OS picks.

Use it through the fixtures of ``tests.smtp_fixtures.py``, or directly (API tests)::

    from tests.smtp_server import SmtpServer, TlsCertificate

    with SmtpServer() as server:                      # plain SMTP
        ...  # send to server.host / server.port
        [received] = server.received
        assert received.message["Message-ID"] == "<…>"

    certificate = TlsCertificate.create()             # once per session: it takes a moment
    with SmtpServer(certificate=certificate, starttls=True, users={"mailer": "pw"}) as server:
        sender = SmtpMailSender(ssl_context=certificate.client_context())

- ``received``: every accepted message, with its envelope, the parsed message, the
  authenticated user and whether it came over TLS.
- ``connections``: the SMTP connections accepted since the last (re)start.
- ``reply_next("451 4.3.0 try later", command="RCPT", count=1)``: the server answers
  the next ``count`` MAIL, RCPT or DATA commands with that reply instead;
  ``reply_next(DROP, command="DATA")`` closes the connection instead of answering.
- ``hold(after=n)``: a slow server. The next ``n`` messages are answered at once;
  each one after them is recorded in ``received`` on arrival (the server has it) but
  gets its ``250`` only after ``release()``. ``wait_held(k)`` waits until ``k``
  messages wait for their reply.
- ``stop()`` / ``start()``: the gateway goes down and comes back on the same port.
- ``starttls=True``: STARTTLS offered and required; ``implicit_tls=True``: TLS from
  the first byte. Both need a ``certificate``; ``certificate.client_context()`` trusts it.
- ``users={login: password}``: AUTH required (offered only over TLS).

Every wait is on a socket or a thread event (no sleeps): ``start()`` returns once the
server answered a first connection, and a client's ``250`` to DATA comes after the
message was recorded.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import ipaddress
import ssl
import tempfile
import threading
from collections import deque
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from domain.model import SmtpSecurity
from domain.ports import SmtpSettings

HOST = "127.0.0.1"
SCRIPTABLE_COMMANDS = frozenset({"MAIL", "RCPT", "DATA"})
# A scripted "reply" that drops the connection instead of answering.
DROP = "DROP"
# A held reply goes out after this long anyway, so no test hangs on a forgotten release().
HOLD_LIMIT_SECONDS = 60.0


@dataclass(frozen=True)
class TlsCertificate:
    """A throw-away CA and a server certificate it signed, for 127.0.0.1 and localhost."""

    ca_pem: bytes
    cert_pem: bytes
    key_pem: bytes

    @classmethod
    def create(cls) -> TlsCertificate:
        now = dt.datetime.now(dt.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Connect Admin test CA")])
        ca = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
            )
            .sign(ca_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(
                x509.SubjectAlternativeName(
                    [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
                ),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        return cls(
            ca_pem=ca.public_bytes(serialization.Encoding.PEM),
            cert_pem=cert.public_bytes(serialization.Encoding.PEM),
            key_pem=key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        )

    def client_context(self) -> ssl.SSLContext:
        """A verifying client context (host name checked) that trusts only the test CA."""
        return ssl.create_default_context(cadata=self.ca_pem.decode("ascii"))

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        # load_cert_chain reads files only.
        with tempfile.TemporaryDirectory() as folder:
            cert_file, key_file = Path(folder) / "cert.pem", Path(folder) / "key.pem"
            cert_file.write_bytes(self.cert_pem)
            key_file.write_bytes(self.key_pem)
            context.load_cert_chain(cert_file, key_file)
        return context


@dataclass(frozen=True)
class ReceivedMessage:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    auth_user: str | None
    over_tls: bool

    def part(self, subtype: str) -> str:
        """The decoded ``text/plain`` or ``text/html`` part."""
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None, f"no text/{subtype} part"
        content = body.get_content()
        assert isinstance(content, str)
        return content

    @property
    def text(self) -> str:
        return self.part("plain")

    @property
    def html(self) -> str:
        return self.part("html")


@dataclass
class _Script:
    """Replies to give instead of the normal ones; shared with the server thread."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    replies: dict[str, deque[str]] = field(default_factory=dict)

    def add(self, command: str, reply: str, count: int) -> None:
        with self.lock:
            self.replies.setdefault(command, deque()).extend([reply] * count)

    def take(self, command: str) -> str | None:
        with self.lock:
            queue = self.replies.get(command)
            return queue.popleft() if queue else None


class _Handler:
    """aiosmtpd handler hooks: scripted replies, else accept and record."""

    def __init__(self, owner: SmtpServer) -> None:
        self._owner = owner

    def _scripted(self, server: SMTP, command: str) -> str | None:
        reply = self._owner._script.take(command)
        if reply == DROP:
            server.transport.close()
            return "421 4.4.2 connection dropped"  # never reaches the client
        return reply

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        scripted = self._scripted(server, "MAIL")
        if scripted is not None:
            return scripted
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        scripted = self._scripted(server, "RCPT")
        if scripted is not None:
            return scripted
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        scripted = self._scripted(server, "DATA")
        if scripted is not None:
            return scripted
        raw = envelope.original_content or b""
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        auth_user = session.auth_data if isinstance(session.auth_data, str) else None
        held = self._owner._record_and_hold(
            ReceivedMessage(
                mail_from=envelope.mail_from or "",
                rcpt_tos=list(envelope.rcpt_tos),
                message=parsed,
                auth_user=auth_user,
                # session.ssl: after STARTTLS; the transport's context: implicit TLS.
                over_tls=session.ssl is not None
                or server.transport.get_extra_info("sslcontext") is not None,
            )
        )
        if held:
            await self._owner._held_back()
        return "250 2.0.0 OK: queued"


class _Controller(Controller):
    """Counts connections, and learns the port the OS picked for port 0."""

    def __init__(self, owner: SmtpServer, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._owner = owner

    def factory(self) -> SMTP:
        smtp = super().factory()
        self._owner._connection_opened()
        return smtp

    def _trigger_server(self) -> None:
        if not self.port:
            assert self.server is not None
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    host = HOST

    def __init__(
        self,
        *,
        certificate: TlsCertificate | None = None,
        starttls: bool = False,
        implicit_tls: bool = False,
        users: dict[str, str] | None = None,
    ) -> None:
        if (starttls or implicit_tls) and certificate is None:
            raise ValueError("TLS needs a certificate")
        if starttls and implicit_tls:
            raise ValueError("starttls and implicit_tls exclude each other")
        self.certificate = certificate
        self.starttls = starttls
        self.implicit_tls = implicit_tls
        self.users = dict(users or {})
        self.port = 0
        self.received: list[ReceivedMessage] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._script = _Script()
        self._controller: _Controller | None = None
        # hold(): messages still answered at once (None: not holding), those waiting.
        self._passes: int | None = None
        self._waiting = 0
        self._released = threading.Event()

    # -- the test's side --------------------------------------------------------

    def reply_next(self, reply: str, *, command: str = "RCPT", count: int = 1) -> None:
        """Answer the next ``count`` ``command`` (MAIL, RCPT or DATA) with ``reply``
        (``DROP``: close the connection without an answer)."""
        if command not in SCRIPTABLE_COMMANDS:
            raise ValueError(f"only {sorted(SCRIPTABLE_COMMANDS)} can be scripted")
        self._script.add(command, reply, count)

    def hold(self, *, after: int = 0) -> None:
        """Answers the next ``after`` messages at once, then holds each reply to DATA
        (the message already recorded) until ``release()``."""
        with self._lock:
            self._passes = after
            self._released.clear()

    def release(self) -> None:
        """Answers every held message and holds no more."""
        with self._lock:
            self._passes = None
            self._released.set()

    def wait_held(self, count: int = 1, timeout: float = 30.0) -> None:
        """Blocks until ``count`` messages wait for their reply; fails after ``timeout``."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: self._waiting >= count, timeout):
                raise AssertionError(f"{self._waiting} of {count} messages held")

    def wait_for(self, count: int, timeout: float = 30.0) -> list[ReceivedMessage]:
        """Blocks until ``count`` messages arrived (from another thread or process);
        fails after ``timeout`` seconds. Async tests call it via ``asyncio.to_thread``."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise AssertionError(f"{len(self.received)} of {count} messages arrived")
            return list(self.received)

    @property
    def security(self) -> SmtpSecurity:
        if self.implicit_tls:
            return SmtpSecurity.TLS
        return SmtpSecurity.STARTTLS if self.starttls else SmtpSecurity.NONE

    def settings(
        self,
        *,
        sender_address: str = "connect@example.com",
        sender_name: str | None = "Connect Server",
        username: str | None = None,
        password: str | None = None,
    ) -> SmtpSettings:
        """Gateway settings pointing at this server with its security."""
        return SmtpSettings(
            host=self.host,
            port=self.port,
            security=self.security,
            sender_address=sender_address,
            sender_name=sender_name,
            username=username,
            password=password,
        )

    def client_context(self) -> ssl.SSLContext:
        assert self.certificate is not None
        return self.certificate.client_context()

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        """Listens (again, on the same port after a stop); returns once it answers."""
        assert self._controller is None, "already running"
        options: dict[str, Any] = {"server_hostname": "localhost"}
        if self.certificate is not None and self.implicit_tls:
            options["ssl_context"] = self.certificate.server_context()
        if self.certificate is not None and self.starttls:
            options["tls_context"] = self.certificate.server_context()
            options["require_starttls"] = True
        if self.users:
            options["authenticator"] = self._authenticate
            options["auth_required"] = True
            options["auth_require_tls"] = True
        # A controller's loop is closed when it stops, so each start takes a new one.
        controller = _Controller(
            self, handler=_Handler(self), hostname=self.host, port=self.port, **options
        )
        controller.start()
        self.port = controller.port
        with self._lock:
            self.connections = 0  # not the controller's own first connection
        self._controller = controller

    def stop(self) -> None:
        """Stops listening and drops open connections: the gateway is down."""
        controller, self._controller = self._controller, None
        self.release()
        if controller is not None:
            controller.stop()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- the server thread's side -----------------------------------------------

    def _record_and_hold(self, received: ReceivedMessage) -> bool:
        """Records the message; whether its reply is held."""
        held = False
        with self._arrived:
            self.received.append(received)
            if self._passes is not None:
                if self._passes > 0:
                    self._passes -= 1
                else:
                    self._waiting += 1
                    held = True
            self._arrived.notify_all()
        return held

    async def _held_back(self) -> None:
        """Waits for ``release()`` (in a thread: the server's loop goes on)."""
        try:
            await asyncio.to_thread(self._released.wait, HOLD_LIMIT_SECONDS)
        finally:
            with self._arrived:
                self._waiting -= 1
                self._arrived.notify_all()

    def _connection_opened(self) -> None:
        with self._lock:
            self.connections += 1

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword):
            login = data.login.decode("utf-8", "replace")
            if self.users.get(login) == data.password.decode("utf-8", "replace"):
                return AuthResult(success=True, auth_data=login)
        return AuthResult(success=False, handled=False)

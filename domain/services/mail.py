"""The E-Mail Gateway: its settings, a test message, the route a user's mail takes.

Messages to users go through the outbox (``domain/services/outbox.py``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain import visibility
from domain.error_codes import ErrorCode
from domain.errors import DomainError
from domain.model import (
    EmailGateway,
    MailKind,
    SmtpConnection,
    User,
)
from domain.ports import (
    Delivery,
    DeliveryOutcome,
    MailMessage,
    MailSender,
    SecretBox,
    SmtpSettings,
    UnitOfWork,
)
from domain.principals import (
    Principal,
    require_admin,
    require_system_admin,
)
from domain.services.audit import AuditTrail
from domain.services.validation import (
    MAX_EMAIL_LENGTH,
    Problems,
    gateway_problem,
    is_mail_address,
)

GATEWAY_NOT_CONFIGURED = DomainError.of(
    ErrorCode.MAIL_GATEWAY_NOT_CONFIGURED,
    "No E-Mail Gateway is configured (System settings > E-Mail Gateway).",
)


@dataclass(frozen=True)
class GatewayInput(SmtpConnection):
    # None: keep the stored password; "": remove it.
    password: str | None = None


@dataclass(frozen=True)
class GatewayReading:
    """What an administrator reads of the gateway."""

    configured: bool
    # The configuration (host, user, sender): for system administrators only; a
    # sub-administrator learns only whether mail can go out.
    gateway: EmailGateway | None


def _password_change(password: str | None) -> str:
    if password is None:
        return "kept"
    return "changed" if password else "removed"


PASSWORD_UNREADABLE = (
    "The E-Mail Gateway's stored password cannot be decrypted: it was encrypted with "
    "another CONNECT_SECRET_KEY. Start the server with that key again, or enter the "
    "password anew in System settings > E-Mail Gateway."
)


def password_unreadable(secrets: SecretBox, gateway: EmailGateway | None) -> bool:
    """Whether the gateway's stored password no longer decrypts (another key)."""
    if gateway is None or not gateway.password_ciphertext:
        return False
    try:
        secrets.decrypt(gateway.password_ciphertext)
    except Exception:
        return True
    return False


def smtp_settings(secrets: SecretBox, gateway: EmailGateway) -> SmtpSettings:
    return SmtpSettings(
        host=gateway.host,
        port=gateway.port,
        security=gateway.security,
        sender_address=gateway.sender_address,
        sender_name=gateway.sender_name,
        username=gateway.username,
        password=(
            secrets.decrypt(gateway.password_ciphertext) if gateway.password_ciphertext else None
        ),
    )


def new_message_id(gateway: EmailGateway) -> str:
    domain = gateway.sender_address.rpartition("@")[2] or "connect-admin"
    return f"<{uuid.uuid4().hex}@{domain}>"


async def require_mail_route(uow: UnitOfWork, user: User) -> EmailGateway:
    """The gateway a message to the user would take; refuses when there is none."""
    return check_mail_route(user, await uow.email_gateway.get())


def check_mail_route(user: User, gateway: EmailGateway | None) -> EmailGateway:
    """``require_mail_route`` with the gateway already read.

    Stored values from before today's input limits are checked too: a message that
    could never be sent must not take a user's new password with it.
    """
    if not user.email:
        raise DomainError.of(ErrorCode.EMAIL_MISSING, f"{user.login} has no e-mail address.")
    if not is_mail_address(user.email):
        raise DomainError.of(
            ErrorCode.EMAIL_INVALID, f"The e-mail address of {user.login} cannot be sent to."
        )
    return usable_gateway(gateway)


def usable_gateway(gateway: EmailGateway | None) -> EmailGateway:
    if gateway is None:
        raise GATEWAY_NOT_CONFIGURED
    field = gateway_problem(gateway)
    if field is not None:
        raise DomainError.of(ErrorCode.MAIL_GATEWAY_INVALID, gateway_invalid(field))
    return gateway


def gateway_invalid(field: str) -> str:
    return (
        f"The E-Mail Gateway's {field} holds a line break or another control character; "
        "correct it in System settings > E-Mail Gateway."
    )


@dataclass(frozen=True)
class MailGateway:
    """The E-Mail Gateway's settings and its test message."""

    uow: UnitOfWork
    audit: AuditTrail
    secrets: SecretBox
    mailer: MailSender
    languages: tuple[str, ...] = ("de", "en")
    default_language: str = "en"

    async def secret_key_problem(self) -> str | None:
        """What the operator must know when the stored secrets were encrypted with
        another CONNECT_SECRET_KEY (checked at start and by /readyz); None when not."""
        async with self.uow.reading() as uow:
            gateway = await uow.email_gateway.get()
        return PASSWORD_UNREADABLE if password_unreadable(self.secrets, gateway) else None

    async def read_gateway(self, actor: Principal) -> GatewayReading:
        admin = require_admin(actor)
        async with self.uow.reading() as uow:
            gateway = await uow.email_gateway.get()
        return GatewayReading(
            configured=gateway is not None,
            gateway=gateway if visibility.sees_gateway_settings(admin) else None,
        )

    async def configure_gateway(self, actor: Principal, given: GatewayInput) -> EmailGateway:
        require_system_admin(actor)
        problems = Problems()
        # Each of these goes into a mail header or an SMTP command: no line breaks.
        host = problems.host(given.host, "host")
        if not 1 <= given.port <= 65535:
            problems.add(ErrorCode.INVALID_PORT, "A port from 1 to 65535.", "port")
        sender = problems.email(given.sender_address, "senderAddress")
        if sender is None:
            problems.add(ErrorCode.REQUIRED, "Must not be empty.", "senderAddress")
        sender_name = problems.optional_name(given.sender_name, "senderName", header=True)
        username = (given.username or "").strip() or None
        if username is not None:
            # Often an address itself.
            problems.text(username, MAX_EMAIL_LENGTH, "username", header=True)
        if given.password is not None:
            problems.secret(given.password, "password")
        problems.raise_if_any()
        assert sender is not None
        async with self.uow as uow:
            stored = await uow.email_gateway.get()
            if given.password is None:
                ciphertext = stored.password_ciphertext if stored else None
            else:
                ciphertext = self.secrets.encrypt(given.password) if given.password else None
            gateway = EmailGateway(
                host=host,
                port=given.port,
                security=given.security,
                sender_address=sender,
                sender_name=sender_name,
                username=username,
                password_ciphertext=ciphertext,
            )
            await uow.email_gateway.save(gateway)
            await self.audit.record(uow, actor, "EMAIL_GATEWAY_CHANGED", host=host, port=given.port,
                security=given.security.value, username=username,
                password=_password_change(given.password),
            )  # fmt: skip
            await uow.commit()
        return gateway

    async def send_test_email(
        self, actor: Principal, to: str, language: str | None = None
    ) -> Delivery:
        """Sends at once, not through the outbox: the administrator waits for the answer.
        In ``language``, else the system's."""
        require_system_admin(actor)
        problems = Problems()
        language = problems.language(language, self.languages, "language")
        recipient = problems.email(to, "to")
        if recipient is None:
            problems.add(ErrorCode.REQUIRED, "Must not be empty.", "to")
        problems.raise_if_any()
        assert recipient is not None
        async with self.uow.reading() as uow:
            gateway = usable_gateway(await uow.email_gateway.get())
        if password_unreadable(self.secrets, gateway):
            raise DomainError.of(ErrorCode.MAIL_GATEWAY_INVALID, PASSWORD_UNREADABLE)
        message = MailMessage(
            message_id=new_message_id(gateway), kind=MailKind.TEST, recipient=recipient,
            context={}, language=language or self.default_language,
        )  # fmt: skip
        [delivery] = await self.mailer.send(smtp_settings(self.secrets, gateway), [message])
        async with self.uow as uow:
            await self.audit.record(uow, actor,
                "MAIL_SENT" if delivery.outcome is DeliveryOutcome.SENT else "MAIL_FAILED",
                kind=MailKind.TEST.value, message_id=message.message_id,
                reply_code=delivery.reply_code,
            )  # fmt: skip
            await uow.commit()
        if delivery.outcome is not DeliveryOutcome.SENT:
            code = f" {delivery.reply_code}" if delivery.reply_code else ""
            raise DomainError.of(
                ErrorCode.MAIL_DELIVERY_FAILED, f"The SMTP server answered{code}: {delivery.detail}"
            )
        return delivery

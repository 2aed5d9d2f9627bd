"""The E-Mail Gateway, the outbox and its dispatcher.

A message is queued in the transaction of the change it reports
(transactional outbox) and sent later by a dispatcher: in the server, or
alone as ``connect-admin dispatch-mail``. A dispatcher claims due messages
(``mail_lease``: renewed while it sends, every write fenced by the claim's
token), sends them over one SMTP connection outside any transaction, and
records each accepted message before it sends the next. 4xx replies,
timeouts and refused connections are retried with backoff; a 5xx reply, or
a day of retries, is final. Either way the secret is erased once the
message is sent or has finally failed.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from domain.errors import DomainError
from domain.model import (
    EmailGateway,
    JsonValue,
    MailKind,
    MailStatus,
    OutgoingMail,
    SmtpSecurity,
    User,
)
from domain.ports import (
    Delivery,
    DeliveryOutcome,
    MailMessage,
    SmtpSettings,
    UnitOfWork,
)
from domain.principals import (
    AdminPrincipal,
    Principal,
    require_admin,
    require_system_admin,
)
from domain.services import audit
from domain.services.deps import Deps, ServiceConfig
from domain.services.mail_lease import MailLease
from domain.services.validation import (
    MAX_EMAIL_LENGTH,
    Problems,
    gateway_problem,
    is_mail_address,
)

logger = logging.getLogger("connect_admin.domain.services.mail")

# The actor of the dispatcher's audit events.
DISPATCHER = AdminPrincipal(admin_id=0, login="mail-dispatcher", location_ids=None)

GATEWAY_NOT_CONFIGURED = DomainError.of(
    "MAIL_GATEWAY_NOT_CONFIGURED",
    "No E-Mail Gateway is configured (System settings > E-Mail Gateway).",
)


@dataclass(frozen=True)
class GatewayInput:
    host: str
    port: int
    security: SmtpSecurity
    sender_address: str
    sender_name: str | None = None
    username: str | None = None
    # None: keep the stored password; "": remove it.
    password: str | None = None


@dataclass(frozen=True)
class GatewayReading:
    """What an administrator reads of the gateway."""

    configured: bool
    # The configuration (host, user, sender): for system administrators only; a
    # sub-administrator learns only whether mail can go out.
    gateway: EmailGateway | None


async def read_gateway(deps: Deps, actor: Principal) -> GatewayReading:
    admin = require_admin(actor)
    async with deps.uow.reading() as uow:
        gateway = await uow.email_gateway.get()
    return GatewayReading(
        configured=gateway is not None, gateway=gateway if admin.is_system else None
    )


async def configure_gateway(deps: Deps, actor: Principal, given: GatewayInput) -> EmailGateway:
    require_system_admin(actor)
    problems = Problems()
    # Each of these goes into a mail header or an SMTP command: no line breaks.
    host = problems.host(given.host, "host")
    if not 1 <= given.port <= 65535:
        problems.add("INVALID_PORT", "A port from 1 to 65535.", "port")
    sender = problems.email(given.sender_address, "senderAddress")
    if sender is None:
        problems.add("REQUIRED", "Must not be empty.", "senderAddress")
    sender_name = problems.optional_name(given.sender_name, "senderName", header=True)
    username = (given.username or "").strip() or None
    if username is not None:
        # Often an address itself.
        problems.text(username, MAX_EMAIL_LENGTH, "username", header=True)
    if given.password is not None:
        problems.secret(given.password, "password")
    problems.raise_if_any()
    assert sender is not None
    async with deps.uow as uow:
        stored = await uow.email_gateway.get()
        if given.password is None:
            ciphertext = stored.password_ciphertext if stored else None
        else:
            ciphertext = deps.secrets.encrypt(given.password) if given.password else None
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
        await audit.record(
            deps, actor, "EMAIL_GATEWAY_CHANGED", host=host, port=given.port,
            security=given.security.value, username=username,
            password=_password_change(given.password),
        )  # fmt: skip
        await uow.commit()
    return gateway


def _password_change(password: str | None) -> str:
    if password is None:
        return "kept"
    return "changed" if password else "removed"


def smtp_settings(deps: Deps, gateway: EmailGateway) -> SmtpSettings:
    return SmtpSettings(
        host=gateway.host,
        port=gateway.port,
        security=gateway.security,
        sender_address=gateway.sender_address,
        sender_name=gateway.sender_name,
        username=gateway.username,
        password=(
            deps.secrets.decrypt(gateway.password_ciphertext)
            if gateway.password_ciphertext
            else None
        ),
    )


async def send_test_email(deps: Deps, actor: Principal, to: str) -> Delivery:
    """Sends at once, not through the outbox: the administrator waits for the answer."""
    require_system_admin(actor)
    problems = Problems()
    recipient = problems.email(to, "to")
    if recipient is None:
        problems.add("REQUIRED", "Must not be empty.", "to")
    problems.raise_if_any()
    assert recipient is not None
    async with deps.uow.reading() as uow:
        gateway = usable_gateway(await uow.email_gateway.get())
    message = MailMessage(
        message_id=new_message_id(gateway), kind=MailKind.TEST, recipient=recipient, context={}
    )
    [delivery] = await deps.mailer.send(smtp_settings(deps, gateway), [message])
    async with deps.uow as uow:
        await audit.record(
            deps, actor, "MAIL_SENT" if delivery.outcome is DeliveryOutcome.SENT else "MAIL_FAILED",
            kind=MailKind.TEST.value, message_id=message.message_id,
            reply_code=delivery.reply_code,
        )  # fmt: skip
        await uow.commit()
    if delivery.outcome is not DeliveryOutcome.SENT:
        code = f" {delivery.reply_code}" if delivery.reply_code else ""
        raise DomainError.of(
            "MAIL_DELIVERY_FAILED", f"The SMTP server answered{code}: {delivery.detail}"
        )
    return delivery


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
        raise DomainError.of("EMAIL_MISSING", f"{user.login} has no e-mail address.")
    if not is_mail_address(user.email):
        raise DomainError.of(
            "EMAIL_INVALID", f"The e-mail address of {user.login} cannot be sent to."
        )
    return usable_gateway(gateway)


def usable_gateway(gateway: EmailGateway | None) -> EmailGateway:
    if gateway is None:
        raise GATEWAY_NOT_CONFIGURED
    field = gateway_problem(gateway)
    if field is not None:
        raise DomainError.of("MAIL_GATEWAY_INVALID", _gateway_invalid(field))
    return gateway


def _gateway_invalid(field: str) -> str:
    return (
        f"The E-Mail Gateway's {field} holds a line break or another control character; "
        "correct it in System settings > E-Mail Gateway."
    )


async def queue_mail(
    deps: Deps,
    uow: UnitOfWork,
    gateway: EmailGateway,
    kind: MailKind,
    user: User,
    *,
    secret: str | None,
    **context: JsonValue,
) -> OutgoingMail:
    """Adds the message to the outbox in the caller's transaction."""
    return await uow.outbox.add(outgoing_mail(deps, gateway, kind, user, secret=secret, **context))


def outgoing_mail(
    deps: Deps,
    gateway: EmailGateway,
    kind: MailKind,
    user: User,
    *,
    secret: str | None,
    **context: JsonValue,
) -> OutgoingMail:
    """The message for ``queue_mail``, its secret encrypted; not stored yet."""
    assert user.email is not None
    now = deps.clock.now()
    return OutgoingMail(
        kind=kind,
        recipient=user.email,
        message_id=new_message_id(gateway),
        created_at=now,
        next_attempt_at=now,
        context={"login": user.login, "display_name": user.display_name, **context},
        secret_ciphertext=None if secret is None else deps.secrets.encrypt(secret),
        target_user_id=user.id,
    )


def retry_delay(config: ServiceConfig, attempts: int) -> timedelta:
    """Doubling from the first delay, never more than the largest interval."""
    delay = config.mail_first_retry
    # Doubling stops at the cap: a day of retries would overflow timedelta otherwise.
    for _ in range(attempts - 1):
        if delay >= config.mail_max_retry_interval:
            break
        delay *= 2
    return min(delay, config.mail_max_retry_interval)


async def dispatch_due(deps: Deps) -> int:
    """Sends what is due now, once; the number of messages claimed.

    Each message accepted by the server is recorded SENT (its secret erased, its
    MAIL_SENT audited) in one commit before the next message is sent; refusals
    and retries are recorded with the next accepted message or at the end. The
    claim is kept while sending (see ``mail_lease``), so a killed dispatcher
    leaves at most the message in flight unrecorded.
    """
    config = deps.config
    now = deps.clock.now()
    token = uuid.uuid4().hex
    async with deps.uow as uow:
        claimed = await uow.outbox.claim_due(
            now, now + config.mail_claim_lease, config.mail_batch_size, token=token
        )
        gateway = await uow.email_gateway.get() if claimed else None
        await uow.commit()
    if not claimed:
        return 0
    lease = MailLease(deps, token, (mail.id for mail in claimed), now + config.mail_claim_lease)
    async with lease.kept():
        await _send_claimed(deps, lease, gateway, claimed)
    return len(claimed)


async def _send_claimed(
    deps: Deps, lease: MailLease, gateway: EmailGateway | None, claimed: list[OutgoingMail]
) -> None:
    """Sends the claimed messages one by one while the claim holds, recording as it goes.
    Whatever fails, each message tried gets an outcome: a message that cannot be read
    (its secret no longer decrypts, e.g. after a key change) fails alone and finally;
    a failure of the adapter itself is a retry for the message being sent and those
    after it. So no message can hold its batch claimed forever."""
    outcomes: list[tuple[OutgoingMail, Delivery]] = []
    ready: list[tuple[OutgoingMail, MailMessage]] = []
    smtp: SmtpSettings | None = None
    if gateway is None:
        detail = "no E-Mail Gateway is configured"
        outcomes = [(mail, Delivery(DeliveryOutcome.RETRY, None, detail)) for mail in claimed]
    elif (field := gateway_problem(gateway)) is not None:
        # The gateway's settings are wrong, not the messages: an administrator can
        # correct them while the outbox keeps trying, and no queued secret is lost.
        detail = _gateway_invalid(field)
        outcomes = [(mail, Delivery(DeliveryOutcome.RETRY, None, detail)) for mail in claimed]
    else:
        try:
            smtp = smtp_settings(deps, gateway)
        except Exception as error:
            detail = f"the gateway's password cannot be read ({type(error).__name__})"
            outcomes = [(mail, Delivery(DeliveryOutcome.RETRY, None, detail)) for mail in claimed]
        else:
            for mail in claimed:
                prepared = _message(deps, mail)
                if isinstance(prepared, Delivery):
                    outcomes.append((mail, prepared))
                else:
                    ready.append((mail, prepared))
    if smtp is not None and ready:
        await _send_ready(deps, lease, smtp, ready, outcomes)
    await _record(deps, lease, outcomes)


def _message(deps: Deps, mail: OutgoingMail) -> MailMessage | Delivery:
    """The message to send, or the final outcome of one whose secret cannot be read."""
    try:
        secret = deps.secrets.decrypt(mail.secret_ciphertext) if mail.secret_ciphertext else None
    except Exception as error:
        return Delivery(
            DeliveryOutcome.FAILED, None, f"the secret cannot be read ({type(error).__name__})"
        )
    return MailMessage(
        message_id=mail.message_id,
        kind=mail.kind,
        recipient=mail.recipient,
        context=dict(mail.context),
        secret=secret,
    )


async def _send_ready(
    deps: Deps,
    lease: MailLease,
    smtp: SmtpSettings,
    ready: list[tuple[OutgoingMail, MailMessage]],
    outcomes: list[tuple[OutgoingMail, Delivery]],
) -> None:
    """Sends over one connection; ``outcomes`` collects what is not recorded yet.
    Stops at the first message whose claim no longer holds (left to ``kept()``)."""
    recording = False
    try:
        async with deps.mailer.connect(smtp) as connection:
            for mail, message in ready:
                if not lease.holds(mail.id):
                    return
                try:
                    async with lease.deadline():
                        delivery = await connection.send(message)
                except TimeoutError:
                    detail = "the claim ran out while the message was being sent"
                    outcomes.append((mail, Delivery(DeliveryOutcome.RETRY, None, detail)))
                    return
                outcomes.append((mail, delivery))
                if delivery.outcome is DeliveryOutcome.SENT:
                    lease.accepted(mail.id)
                    recording = True
                    await _record(deps, lease, outcomes)
                    recording = False
                    outcomes.clear()
    except Exception as error:
        if recording:
            raise  # the database's failure, not the adapter's
        logger.exception("the mail adapter failed; the messages not sent are retried")
        detail = f"the mail adapter failed ({type(error).__name__})"
        pending = {mail.id for mail, _ in outcomes}
        outcomes.extend(
            (mail, Delivery(DeliveryOutcome.RETRY, None, detail))
            for mail, _ in ready
            if mail.id in lease.held and mail.id not in pending
        )


async def _record(
    deps: Deps, lease: MailLease, outcomes: list[tuple[OutgoingMail, Delivery]]
) -> None:
    """Stores the outcomes in one commit, each only while the claim still holds it."""
    if not outcomes:
        return
    config = deps.config
    async with lease.transaction() as uow:
        done = deps.clock.now()
        stored: dict[int, bool] = {}
        for mail, delivery in outcomes:
            updated = _after_attempt(mail, delivery, done, config)
            stored[mail.id] = await uow.outbox.record_attempt(updated, token=lease.token)
            if stored[mail.id] and updated.status is not MailStatus.PENDING:
                await audit.record(
                    deps, DISPATCHER,
                    "MAIL_SENT" if updated.status is MailStatus.SENT else "MAIL_FAILED",
                    target_user_id=mail.target_user_id, kind=mail.kind.value,
                    message_id=mail.message_id, reply_code=delivery.reply_code,
                    attempts=updated.attempts,
                )  # fmt: skip
        await uow.commit()
        for mail_id, written in stored.items():
            lease.recorded(mail_id, stored=written)


def _after_attempt(
    mail: OutgoingMail, delivery: Delivery, now: datetime, config: ServiceConfig
) -> OutgoingMail:
    attempted = replace(
        mail,
        attempts=mail.attempts + 1,
        claimed_until=None,
        claim_token=None,
        last_reply_code=delivery.reply_code,
        last_error=None if delivery.outcome is DeliveryOutcome.SENT else delivery.detail,
    )
    if delivery.outcome is DeliveryOutcome.SENT:
        return replace(attempted, status=MailStatus.SENT, sent_at=now, secret_ciphertext=None)
    final = (
        delivery.outcome is DeliveryOutcome.FAILED
        or now - mail.created_at >= config.mail_give_up_after
    )
    if final:
        return replace(attempted, status=MailStatus.FAILED, secret_ciphertext=None)
    return replace(attempted, next_attempt_at=now + retry_delay(config, attempted.attempts))

"""The outbox and its dispatcher.

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

from domain.model import (
    EmailGateway,
    JsonValue,
    Location,
    MailKind,
    MailStatus,
    MailTemplate,
    OutgoingMail,
    User,
)
from domain.ports.mail import (
    Delivery,
    DeliveryOutcome,
    MailMessage,
    MailSender,
    SmtpSettings,
    TemplateSource,
)
from domain.ports.security import Clock, SecretBox
from domain.ports.unit_of_work import UnitOfWork
from domain.principals import AdminPrincipal
from domain.rules import mail_language
from domain.services.audit import AuditTrail
from domain.services.backoff import doubling_delay
from domain.services.config import ServiceConfig
from domain.services.mail import gateway_invalid, new_message_id, smtp_settings
from domain.services.mail_lease import MailLease
from domain.services.validation import gateway_problem

# Kept under its old name: operators' log filters know it.
logger = logging.getLogger("connect_admin.domain.services.mail")

# The actor of the dispatcher's audit events.
DISPATCHER = AdminPrincipal(admin_id=0, login="mail-dispatcher", location_ids=None)


async def queue_mail(
    clock: Clock,
    secrets: SecretBox,
    uow: UnitOfWork,
    gateway: EmailGateway,
    kind: MailKind,
    user: User,
    *,
    secret: str | None,
    **context: JsonValue,
) -> OutgoingMail:
    """Adds the message to the outbox in the caller's transaction."""
    return await uow.outbox.add(
        outgoing_mail(clock, secrets, gateway, kind, user, secret=secret, **context)
    )


def outgoing_mail(
    clock: Clock,
    secrets: SecretBox,
    gateway: EmailGateway,
    kind: MailKind,
    user: User,
    *,
    secret: str | None,
    **context: JsonValue,
) -> OutgoingMail:
    """The message for ``queue_mail``, its secret encrypted; not stored yet."""
    assert user.email is not None
    now = clock.now()
    return OutgoingMail(
        kind=kind,
        recipient=user.email,
        message_id=new_message_id(gateway),
        created_at=now,
        next_attempt_at=now,
        context={"login": user.login, "display_name": user.display_name, **context},
        secret_ciphertext=None if secret is None else secrets.encrypt(secret),
        target_user_id=user.id,
    )


def retry_delay(config: ServiceConfig, attempts: int) -> timedelta:
    """Doubling from the first delay, never more than the largest interval."""
    return doubling_delay(config.mail_first_retry, config.mail_max_retry_interval, attempts)


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


@dataclass(frozen=True)
class Recipients:
    """What the claimed messages' text depends on beyond their context, read when they
    are sent: the users (their language), their locations (its language, name and
    sign-in hint) and the locations' own templates."""

    users: dict[int, User]
    locations: dict[int, Location]
    templates: dict[tuple[int, MailKind, str], MailTemplate]

    @classmethod
    async def read(cls, uow: UnitOfWork, claimed: list[OutgoingMail]) -> Recipients:
        user_ids = [mail.target_user_id for mail in claimed if mail.target_user_id is not None]
        users = await uow.users.get_many(user_ids) if user_ids else {}
        location_ids = sorted({user.location_id for user in users.values()})
        locations = await uow.locations.get_many(location_ids) if location_ids else {}
        templates = await uow.mail_templates.for_locations(location_ids) if location_ids else []
        return cls(users, locations, {(t.location_id, t.kind, t.language): t for t in templates})

    def message(self, mail: OutgoingMail, secret: str | None, default_language: str) -> MailMessage:
        user = self.users.get(mail.target_user_id) if mail.target_user_id else None
        location = self.locations.get(user.location_id) if user is not None else None
        language = mail_language(user, location, default_language)
        template = self.templates.get((location.id, mail.kind, language)) if location else None
        context: dict[str, object] = {
            **mail.context,
            "location": location.name if location else "",
            "sign_in_hint": (location.sign_in_hint if location else None) or "",
        }
        return MailMessage(
            message_id=mail.message_id,
            kind=mail.kind,
            recipient=mail.recipient,
            context=context,
            secret=secret,
            language=language,
            template=(
                TemplateSource(template.subject, template.html, template.text)
                if template is not None
                else None
            ),
        )


@dataclass(frozen=True)
class Outbox:
    """The dispatcher's side of the outbox."""

    uow: UnitOfWork
    clock: Clock
    audit: AuditTrail
    secrets: SecretBox
    mailer: MailSender
    config: ServiceConfig

    async def dispatch_due(self) -> int:
        """Sends what is due now, once; the number of messages claimed.

        Each message accepted by the server is recorded SENT (its secret erased, its
        MAIL_SENT audited) in one commit before the next message is sent; refusals
        and retries are recorded with the next accepted message or at the end. The
        claim is kept while sending (see ``mail_lease``), so a killed dispatcher
        leaves at most the message in flight unrecorded.
        """
        config = self.config
        now = self.clock.now()
        token = uuid.uuid4().hex
        async with self.uow as uow:
            claimed = await uow.outbox.claim_due(
                now, now + config.mail_claim_lease, config.mail_batch_size, token=token
            )
            gateway = await uow.email_gateway.get() if claimed else None
            recipients = await Recipients.read(uow, claimed)
            await uow.commit()
        if not claimed:
            return 0
        lease = MailLease(
            uow, self.clock, config.mail_claim_lease, token, (mail.id for mail in claimed),
            now + config.mail_claim_lease,
        )  # fmt: skip
        async with lease.kept():
            await self._send_claimed(lease, gateway, claimed, recipients)
        return len(claimed)

    async def _send_claimed(
        self,
        lease: MailLease,
        gateway: EmailGateway | None,
        claimed: list[OutgoingMail],
        recipients: Recipients,
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
            detail = gateway_invalid(field)
            outcomes = [(mail, Delivery(DeliveryOutcome.RETRY, None, detail)) for mail in claimed]
        else:
            try:
                smtp = smtp_settings(self.secrets, gateway)
            except Exception as error:
                detail = f"the gateway's password cannot be read ({type(error).__name__})"
                outcomes = [
                    (mail, Delivery(DeliveryOutcome.RETRY, None, detail)) for mail in claimed
                ]
            else:
                for mail in claimed:
                    prepared = self._message(mail, recipients)
                    if isinstance(prepared, Delivery):
                        outcomes.append((mail, prepared))
                    else:
                        ready.append((mail, prepared))
        if smtp is not None and ready:
            await self._send_ready(lease, smtp, ready, outcomes)
        await self._record(lease, outcomes)

    def _message(self, mail: OutgoingMail, recipients: Recipients) -> MailMessage | Delivery:
        """The message to send, or the final outcome of one whose secret cannot be read or
        whose user was blocked meanwhile."""
        try:
            secret = (
                self.secrets.decrypt(mail.secret_ciphertext) if mail.secret_ciphertext else None
            )
        except Exception as error:
            return Delivery(
                DeliveryOutcome.FAILED, None, f"the secret cannot be read ({type(error).__name__})"
            )
        user = recipients.users.get(mail.target_user_id) if mail.target_user_id else None
        if secret is not None and user is not None and user.blocked:
            # Blocked since it was queued: the password or PIN could not be used.
            return Delivery(
                DeliveryOutcome.FAILED, None, "the user is blocked; the secret was not mailed"
            )
        return recipients.message(mail, secret, self.config.default_language)

    async def _send_ready(
        self,
        lease: MailLease,
        smtp: SmtpSettings,
        ready: list[tuple[OutgoingMail, MailMessage]],
        outcomes: list[tuple[OutgoingMail, Delivery]],
    ) -> None:
        """Sends over one connection; ``outcomes`` collects what is not recorded yet.
        Stops at the first message whose claim no longer holds (left to ``kept()``)."""
        recording = False
        try:
            async with self.mailer.connect(smtp) as connection:
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
                        await self._record(lease, outcomes)
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
        self, lease: MailLease, outcomes: list[tuple[OutgoingMail, Delivery]]
    ) -> None:
        """Stores the outcomes in one commit, each only while the claim still holds it."""
        if not outcomes:
            return
        config = self.config
        async with lease.transaction() as uow:
            done = self.clock.now()
            stored: dict[int, bool] = {}
            for mail, delivery in outcomes:
                updated = _after_attempt(mail, delivery, done, config)
                stored[mail.id] = await uow.outbox.record_attempt(updated, token=lease.token)
                if stored[mail.id] and updated.status is not MailStatus.PENDING:
                    fallback: dict[str, JsonValue] = (
                        {"template_fallback": delivery.template_fallback}
                        if delivery.template_fallback
                        else {}
                    )
                    await self.audit.record(uow, DISPATCHER,
                        "MAIL_SENT" if updated.status is MailStatus.SENT else "MAIL_FAILED",
                        target_user_id=mail.target_user_id, kind=mail.kind.value,
                        message_id=mail.message_id, reply_code=delivery.reply_code,
                        attempts=updated.attempts, **fallback,
                    )  # fmt: skip
            await uow.commit()
            for mail_id, written in stored.items():
                lease.recorded(mail_id, stored=written)

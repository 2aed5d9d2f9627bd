"""How the mails to a user fared, as the outbox keeps them: their state and the SMTP
server's reply, never their text or their password or PIN."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain import model
from gql.enums import MailKind, MailStatus


@strawberry.type(
    description="A mail to a user (a new password or voicemail PIN): where it stands, "
    "never its text or secret."
)
class MailDelivery:
    kind: MailKind = strawberry.field(description="What it carries.")
    status: MailStatus = strawberry.field(description="Where it stands.")
    recipient: str = strawberry.field(description="The address it was sent to.")
    queued_at: datetime = strawberry.field(description="When the reset (or the PIN) queued it.")
    attempts: int = strawberry.field(description="How often it was handed to the SMTP server.")
    next_attempt_at: datetime | None = strawberry.field(
        description="While PENDING: when it is tried (again); null otherwise."
    )
    sent_at: datetime | None = strawberry.field(
        description="When the SMTP server accepted it; null unless SENT."
    )
    reply_code: int | None = strawberry.field(
        description="The SMTP server's last reply code: 250 when it accepted, e.g. 550 when "
        "it refused; null before it answered (or when it was not reached)."
    )
    reply: str | None = strawberry.field(
        description="Why the last attempt failed: the SMTP server's reply, or why it could "
        "not be reached; null when none failed."
    )

    @classmethod
    def from_domain(cls, mail: model.OutgoingMail) -> MailDelivery:
        pending = mail.status is model.MailStatus.PENDING
        return cls(
            kind=mail.kind,
            status=mail.status,
            recipient=mail.recipient,
            queued_at=mail.created_at,
            attempts=mail.attempts,
            next_attempt_at=mail.next_attempt_at if pending else None,
            sent_at=mail.sent_at,
            reply_code=mail.last_reply_code,
            reply=mail.last_error,
        )

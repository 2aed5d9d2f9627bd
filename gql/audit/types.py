"""The audit trail: who did what, to which user."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from domain import model
from gql.context import Info
from gql.ids import to_global_id
from gql.relay import Connection, Edge, Node
from gql.users.types import User


@strawberry.type(description="Who did what, to whom, when; never a secret.")
class AuditEvent(Node):
    at: datetime = strawberry.field(description="When it happened (UTC).")
    actor: str = strawberry.field(
        description="The login of the administrator or user who did it; through an API "
        'token, "login (API token name)"; mail-dispatcher for the mail outcomes, system '
        "for the command line."
    )
    action: str = strawberry.field(
        description="What happened, e.g. USER_RESET, PASSWORD_SET, MAIL_SENT, MAIL_FAILED, "
        "USER_CREATED, LOCATION_UPDATED, ADMINISTRATOR_BLOCKED."
    )
    details: JSON = strawberry.field(
        description="The action's facts as a JSON object, e.g. a reset's options and the "
        "status and changes of each action, or a mail's SMTP reply code."
    )
    target_pk: strawberry.Private[int | None]

    @classmethod
    def from_domain(cls, event: model.AuditEvent) -> AuditEvent:
        return cls(
            id=strawberry.ID(to_global_id("AuditEvent", event.id)),
            at=event.at,
            actor=event.actor,
            action=event.action,
            details=cast("JSON", event.details),
            target_pk=event.target_user_id,
        )

    @strawberry.field(
        description="The user the event is about; null when none, or the user was deleted."
    )
    async def target_user(self, info: Info) -> User | None:
        if self.target_pk is None:
            return None
        user = await info.context.loaders.user_by_id.load(self.target_pk)
        return None if user is None else User.from_domain(user)


AuditEventEdge = Edge[AuditEvent]
AuditEventConnection = Connection[AuditEvent]

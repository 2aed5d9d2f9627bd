"""The audit trail: who did what, to which user."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from domain import model
from gql.context import Info
from gql.graph import User
from gql.ids import to_global_id
from gql.relay import Connection, Edge, Node


@strawberry.type
class AuditEvent(Node):
    at: datetime
    actor: str
    action: str
    details: JSON
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

    @strawberry.field
    async def target_user(self, info: Info) -> User | None:
        if self.target_pk is None:
            return None
        user = await info.context.loaders.user_by_id.load(self.target_pk)
        return None if user is None else User.from_domain(user)


AuditEventEdge = Edge[AuditEvent]
AuditEventConnection = Connection[AuditEvent]

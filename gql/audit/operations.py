"""The audit trail, a page at a time."""

from __future__ import annotations

import strawberry

from domain.services.paging import page_request
from gql.audit.types import AuditEvent, AuditEventConnection, AuditEventEdge
from gql.context import Info
from gql.ids import maybe_pk_of, parse_cursor, to_cursor
from gql.relay import counted, page_info


@strawberry.type
class AuditQuery:
    @strawberry.field
    async def audit_events(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        target_user_id: strawberry.ID | None = None,
    ) -> AuditEventConnection:
        services = info.context.services()
        after_pk = parse_cursor(after)
        target = maybe_pk_of(target_user_id, "User", "targetUserId")
        page = await services.audit.audit_events(
            info.context.principal, page_request(services.config, first, after_pk), target
        )
        edges = [
            AuditEventEdge(cursor=to_cursor(e.id), node=AuditEvent.from_domain(e))
            for e in page.items
        ]
        return AuditEventConnection(
            edges=edges,
            page_info=page_info([e.id for e in page.items], page, after_pk),
            total_count=counted(page),
        )

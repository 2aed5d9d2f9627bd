"""The audit trail, a page at a time."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.services.paging import page_request
from gql.audit.types import AuditEvent, AuditEventConnection, AuditEventEdge
from gql.context import Info
from gql.ids import maybe_pk_of, parse_cursor, to_cursor
from gql.relay import After, PageSize, counted, page_info


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="The audit trail, newest first, a page at a time. Administrators (or "
        "their API tokens); a sub-administrator sees the events of its locations: recorded "
        "for one of them, or about a user who lives in one now."
    )
    async def audit_events(
        self,
        info: Info,
        first: PageSize = None,
        after: After = None,
        target_user_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only the events about this user."),
        ] = None,
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

"""The audit trail, a page at a time."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gql.audit.inputs import AuditEventFilter
from gql.audit.types import AuditEvent, AuditEventConnection, AuditEventEdge
from gql.context import Info
from gql.ids import maybe_pk_of, to_cursor
from gql.relay import After, Before, LastSize, PageSize, Paging, counted, page_info


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
            strawberry.argument(
                description="Only the events about this user, as filter.userId (given both, "
                "they must name the same user, or no events)."
            ),
        ] = None,
        last: LastSize = None,
        before: Before = None,
        filter: Annotated[
            AuditEventFilter | None,
            strawberry.argument(
                description="Narrows the events by action, actor, location, user and time."
            ),
        ] = None,
    ) -> AuditEventConnection:
        services = info.context.services()
        request = Paging(first, after, last, before).request(services)
        target = maybe_pk_of(target_user_id, "User", "targetUserId")
        page = await services.audit.audit_events(
            info.context.principal,
            request,
            target,
            filter.to_domain() if filter is not None else None,
        )
        edges = [
            AuditEventEdge(cursor=to_cursor(e.id), node=AuditEvent.from_domain(e))
            for e in page.items
        ]
        return AuditEventConnection(
            edges=edges,
            page_info=page_info([e.id for e in page.items], page),
            total_count=counted(page),
        )

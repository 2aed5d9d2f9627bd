"""What a reader of the audit trail narrows it to."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.services.audit import AuditFilter
from gql.ids import maybe_pk_of


@strawberry.input(
    description="Narrows the audit trail; every condition given must hold (filtered on the "
    "server, so that totalCount and the pages are those of the events that match)."
)
class AuditEventFilter:
    actions: list[str] | None = strawberry.field(
        default=None,
        description='Only these actions, e.g. ["USER_RESET", "RESET_UNDONE"]; an unknown '
        "action matches nothing.",
    )
    actor: str | None = strawberry.field(
        default=None,
        description="Only the events of this actor: an administrator's login (as in "
        "AuditEvent.actor).",
    )
    location_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Only the events concerning this location: recorded for it, or about a "
        "user who lives in it now. A location outside a sub-administrator's: no events.",
    )
    user_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Only the events about this user (AuditEvent.targetUser), including "
        "those recorded before the user moved. A user outside a sub-administrator's "
        "locations, or one that does not exist: no events.",
    )
    since: datetime | None = strawberry.field(
        default=None, description="Only the events at or after this time."
    )
    until: datetime | None = strawberry.field(
        default=None, description="Only the events before this time."
    )

    def to_domain(self) -> AuditFilter:
        return AuditFilter(
            actions=frozenset(self.actions) if self.actions is not None else None,
            actor=self.actor,
            location_id=maybe_pk_of(self.location_id, "Location", "filter", "locationId"),
            user_id=maybe_pk_of(self.user_id, "User", "filter", "userId"),
            since=self.since,
            until=self.until,
        )

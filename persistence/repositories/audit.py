"""Audit events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, Text, cast, or_, select

from domain.model import AuditEvent
from domain.ports import AuditQuery, Page
from persistence.repositories._base import Executor, from_row, row_values, window_of
from persistence.tables import audit_events, users


def _event(row: Row[Any]) -> AuditEvent:
    return from_row(AuditEvent, row, details=dict(row.details or {}))


def _event_values(event: AuditEvent) -> dict[str, Any]:
    return row_values(event, audit_events, details=dict(event.details))


USER_RESET = "USER_RESET"
# Events whose details mention a reset id, read to find the one that is its own.
CANDIDATES = 20


def _in_locations(location_ids: frozenset[int]) -> ColumnElement[bool]:
    """Recorded for one of the locations, or about a user who lives in one now."""
    ids = sorted(location_ids)
    return or_(
        audit_events.c.location_id.in_(ids),
        audit_events.c.target_user_id.in_(select(users.c.id).where(users.c.location_id.in_(ids))),
    )


class SqlAuditRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def add(self, event: AuditEvent) -> AuditEvent:
        event.id = await self._ex.insert_id(audit_events, _event_values(event))
        return event

    async def add_many(self, events: Sequence[AuditEvent]) -> None:
        await self._ex.insert_many(audit_events, [_event_values(e) for e in events])

    async def reset_recorded(self, reset_id: str, location_ids: frozenset[int] | None) -> bool:
        if location_ids is not None and not location_ids:
            return False
        # The details as text hold the id (a cheap filter on both databases); each
        # candidate's details then say whether it is this reset's.
        filters = [
            audit_events.c.action == USER_RESET,
            cast(audit_events.c.details, Text).contains(reset_id, autoescape=True),
        ]
        if location_ids is not None:
            filters.append(_in_locations(location_ids))
        stmt = select(audit_events.c.details).where(*filters).limit(CANDIDATES)
        return any(
            (row.details or {}).get("reset_id") == reset_id for row in await self._ex.execute(stmt)
        )

    async def page(
        self,
        query: AuditQuery,
        after_id: int | None,
        first: int,
        *,
        before_id: int | None = None,
        from_end: bool = False,
    ) -> Page[AuditEvent]:
        """Newest first; scoped to ``location_ids`` when given (see ``AuditQuery``)."""
        if first < 0:
            raise ValueError("first must not be negative")
        nobody: Page[AuditEvent] = window_of(
            [], first, 0, after_id=after_id, before_id=before_id, from_end=from_end
        )
        if query.location_ids is not None and not query.location_ids:
            return nobody
        filters: list[ColumnElement[bool]] = []
        if query.target_user_id is not None:
            filters.append(audit_events.c.target_user_id == query.target_user_id)
        if query.event_id is not None:
            filters.append(audit_events.c.id == query.event_id)
        if query.actions is not None:
            filters.append(audit_events.c.action.in_(sorted(query.actions)))
        if query.actor is not None:
            filters.append(audit_events.c.actor == query.actor)
        if query.since is not None:
            filters.append(audit_events.c.at >= query.since)
        if query.until is not None:
            filters.append(audit_events.c.at < query.until)
        if query.location_ids is not None:
            filters.append(_in_locations(query.location_ids))
        total = await self._ex.count(audit_events, *filters)
        if total == 0:
            return nobody
        # Newest first: from the end, the oldest first (and put back in order).
        order = audit_events.c.id.asc() if from_end else audit_events.c.id.desc()
        stmt = select(audit_events).where(*filters).order_by(order).limit(first + 1)
        if after_id is not None:
            stmt = stmt.where(audit_events.c.id < after_id)
        if before_id is not None:
            stmt = stmt.where(audit_events.c.id > before_id)
        found = [_event(row) for row in await self._ex.execute(stmt)]
        return window_of(
            found, first, total, after_id=after_id, before_id=before_id, from_end=from_end
        )

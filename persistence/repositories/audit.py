"""Audit events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, or_, select

from domain.model import AuditEvent
from domain.ports import AuditQuery, Page
from persistence.repositories._base import Executor, from_row, page_of, row_values
from persistence.tables import audit_events, users

E = audit_events.c


def _event(row: Row[Any]) -> AuditEvent:
    return from_row(AuditEvent, row, details=dict(row.details or {}))


def _event_values(event: AuditEvent) -> dict[str, Any]:
    return row_values(event, audit_events, details=dict(event.details))


class SqlAuditRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def add(self, event: AuditEvent) -> AuditEvent:
        event.id = await self._ex.insert_id(audit_events, _event_values(event))
        return event

    async def add_many(self, events: Sequence[AuditEvent]) -> None:
        await self._ex.insert_many(audit_events, [_event_values(e) for e in events])

    async def page(self, query: AuditQuery, after_id: int | None, first: int) -> Page[AuditEvent]:
        """Newest first; scoped to ``location_ids`` when given (see ``AuditQuery``)."""
        if first < 0:
            raise ValueError("first must not be negative")
        if query.location_ids is not None and not query.location_ids:
            return Page(items=[], has_next=False, total=0)
        filters: list[ColumnElement[bool]] = []
        if query.target_user_id is not None:
            filters.append(E.target_user_id == query.target_user_id)
        if query.location_ids is not None:
            location_ids = sorted(query.location_ids)
            filters.append(
                or_(
                    E.location_id.in_(location_ids),
                    E.target_user_id.in_(
                        select(users.c.id).where(users.c.location_id.in_(location_ids))
                    ),
                )
            )
        total = await self._ex.count(audit_events, *filters)
        if total == 0:
            return Page(items=[], has_next=False, total=0)
        stmt = select(audit_events).where(*filters).order_by(E.id.desc()).limit(first + 1)
        if after_id is not None:
            stmt = stmt.where(E.id < after_id)
        found = [_event(row) for row in await self._ex.execute(stmt)]
        return page_of(found, first, total)

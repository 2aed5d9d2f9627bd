"""Audit events: who did what to whom, when. Details never hold a secret."""

from __future__ import annotations

from domain.model import AuditEvent, JsonValue
from domain.ports import AuditQuery, Page
from domain.principals import Principal, require_admin
from domain.services.deps import Deps
from domain.services.paging import PageRequest


async def record(
    deps: Deps,
    actor: Principal,
    action: str,
    *,
    target_user_id: int | None = None,
    scope_location_id: int | None = None,
    **details: JsonValue,
) -> None:
    """Adds an event to the current unit of work; it commits with the change.

    ``scope_location_id`` is the location the event concerns, where known: the
    target user's, a configuration group's, a location's own. It keeps the event
    in its sub-administrators' audit log after the user is deleted.
    """
    stored = event(
        deps,
        actor,
        action,
        target_user_id=target_user_id,
        scope_location_id=scope_location_id,
        **details,
    )
    await deps.uow.audit.add(stored)


def event(
    deps: Deps,
    actor: Principal,
    action: str,
    *,
    target_user_id: int | None = None,
    scope_location_id: int | None = None,
    **details: JsonValue,
) -> AuditEvent:
    """The event ``record`` adds, for a caller that stores several at once."""
    return AuditEvent(
        at=deps.clock.now(),
        actor=actor.login,
        action=action,
        target_user_id=target_user_id,
        location_id=scope_location_id,
        details=details,
    )


async def audit_events(
    deps: Deps, actor: Principal, page: PageRequest, target_user_id: int | None
) -> Page[AuditEvent]:
    """Newest first. A sub-administrator sees the events concerning its locations:
    recorded for one of them, or about a user who lives in one of them now."""
    admin = require_admin(actor)
    async with deps.uow.reading() as uow:
        return await uow.audit.page(
            AuditQuery(target_user_id=target_user_id, location_ids=admin.location_ids),
            page.after_id,
            page.first,
        )

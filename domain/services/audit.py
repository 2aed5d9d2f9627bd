"""Audit events: who did what to whom, when. Details never hold a secret."""

from __future__ import annotations

from dataclasses import dataclass

from domain.model import AuditEvent, JsonValue, User
from domain.ports import AuditQuery, Clock, Page, UnitOfWork
from domain.principals import Principal, require_admin
from domain.services.paging import PageRequest


@dataclass(frozen=True)
class AuditTrail:
    """Where the services' audit events go: the caller's unit of work, stamped by the clock."""

    clock: Clock

    async def record(
        self,
        uow: UnitOfWork,
        actor: Principal,
        action: str,
        *,
        target_user_id: int | None = None,
        scope_location_id: int | None = None,
        **details: JsonValue,
    ) -> None:
        """Adds an event to the caller's unit of work (entered); it commits with the change.

        ``scope_location_id`` is the location the event concerns, where known: the
        target user's, a configuration group's, a location's own. It keeps the event
        in its sub-administrators' audit log after the user is deleted.
        """
        await uow.audit.add(
            self.event(
                actor,
                action,
                target_user_id=target_user_id,
                scope_location_id=scope_location_id,
                **details,
            )
        )

    async def record_about(
        self, uow: UnitOfWork, actor: Principal, action: str, user: User, **details: JsonValue
    ) -> None:
        """``record`` of an event about ``user``, scoped to the user's location."""
        await uow.audit.add(self.event_about(actor, action, user, **details))

    def event_about(
        self, actor: Principal, action: str, user: User, **details: JsonValue
    ) -> AuditEvent:
        """``event`` about ``user``, scoped to the user's location."""
        return self.event(
            actor, action, target_user_id=user.id, scope_location_id=user.location_id, **details
        )

    def event(
        self,
        actor: Principal,
        action: str,
        *,
        target_user_id: int | None = None,
        scope_location_id: int | None = None,
        **details: JsonValue,
    ) -> AuditEvent:
        """The event ``record`` adds, for a caller that stores several at once."""
        return AuditEvent(
            at=self.clock.now(),
            actor=actor.login,
            action=action,
            target_user_id=target_user_id,
            location_id=scope_location_id,
            details=details,
        )


@dataclass(frozen=True)
class Audit:
    """The audit log, as administrators read it."""

    uow: UnitOfWork

    async def audit_events(
        self, actor: Principal, page: PageRequest, target_user_id: int | None
    ) -> Page[AuditEvent]:
        """Newest first. A sub-administrator sees the events concerning its locations:
        recorded for one of them, or about a user who lives in one of them now."""
        admin = require_admin(actor)
        async with self.uow.reading() as uow:
            return await uow.audit.page(
                AuditQuery(target_user_id=target_user_id, location_ids=admin.location_ids),
                page.after_id,
                page.first,
            )

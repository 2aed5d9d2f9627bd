"""Audit events: who did what to whom, when. Details never hold a secret.

Every event is stored through ``store_events`` (``AuditTrail.record`` does), which
queues the webhook deliveries that report it in the same transaction
(``webhook_events``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from domain import visibility
from domain.model import AuditEvent, JsonValue, User
from domain.ports import AuditQuery, Clock, Page, UnitOfWork
from domain.principals import AdminPrincipal, Principal, require_admin
from domain.services.paging import PageRequest
from domain.services.webhook_events import queue_deliveries


async def store_events(uow: UnitOfWork, events: Sequence[AuditEvent]) -> None:
    """Adds the events to the caller's unit of work (entered), with their webhook
    deliveries; they commit with the change."""
    if len(events) == 1:
        await uow.audit.add(events[0])
    else:
        await uow.audit.add_many(events)
    await queue_deliveries(uow, events)


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
        event = self.event(
            actor,
            action,
            target_user_id=target_user_id,
            scope_location_id=scope_location_id,
            **details,
        )
        await store_events(uow, [event])

    async def record_about(
        self, uow: UnitOfWork, actor: Principal, action: str, user: User, **details: JsonValue
    ) -> None:
        """``record`` of an event about ``user``, scoped to the user's location."""
        await store_events(uow, [self.event_about(actor, action, user, **details)])

    async def record_and_commit(
        self, uow: UnitOfWork, actor: Principal, action: str, **details: Any
    ) -> None:
        """``record`` (``details``: its keyword arguments), then the caller's unit of work
        commits: a change's last step."""
        await self.record(uow, actor, action, **details)
        await uow.commit()

    async def record_about_and_commit(
        self, uow: UnitOfWork, actor: Principal, action: str, user: User, **details: JsonValue
    ) -> None:
        """``record_about``, then the caller's unit of work commits: a change's last step."""
        await self.record_about(uow, actor, action, user, **details)
        await uow.commit()

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
        self,
        actor: Principal,
        page: PageRequest,
        target_user_id: int | None,
        wanted: AuditFilter | None = None,
    ) -> Page[AuditEvent]:
        """Newest first. A sub-administrator sees the events concerning its locations:
        recorded for one of them, or about a user who lives in one of them now. ``wanted``
        narrows them (a location, or a user, outside the caller's: none)."""
        admin = require_admin(actor)
        wanted = wanted or AuditFilter()
        scope = visibility.location_scope(admin)
        if wanted.location_id is not None:
            only = frozenset({wanted.location_id})
            scope = only if scope is None else only & scope
        about = target_user_id if wanted.user_id is None else wanted.user_id
        if target_user_id is not None and about != target_user_id:
            scope = frozenset()  # two different users asked for: no event is about both
        async with self.uow.reading() as uow:
            if about is not None and scope:
                # A user the caller does not see (now): none of its events, as for a
                # location outside the caller's.
                user = await uow.users.get(about)
                if user is None or not visibility.sees_user(admin, user):
                    scope = frozenset()
            found = await uow.audit.page(
                AuditQuery(
                    target_user_id=about,
                    location_ids=scope,
                    actions=wanted.actions,
                    actor=wanted.actor,
                    since=wanted.since,
                    until=wanted.until,
                ),
                page.after_id,
                page.first,
                before_id=page.before_id,
                from_end=page.from_end,
            )
            return replace(found, items=await _as_seen_by(admin, uow, found.items))

    async def get_event(self, actor: Principal, event_id: int) -> AuditEvent | None:
        """One event, if the caller would see it in ``audit_events``; None otherwise."""
        admin = require_admin(actor)
        query = AuditQuery(event_id=event_id, location_ids=visibility.location_scope(admin))
        async with self.uow.reading() as uow:
            page = await uow.audit.page(query, None, 1)
            seen = await _as_seen_by(admin, uow, page.items)
        return seen[0] if seen else None


async def _as_seen_by(
    admin: AdminPrincipal, uow: UnitOfWork, events: Sequence[AuditEvent]
) -> list[AuditEvent]:
    """The events with details that name no user the administrator does not see."""
    if admin.is_system:
        return list(events)
    named = set().union(*(visibility.users_named_in(e.details) for e in events))
    users = await uow.users.get_many(named) if named else {}
    return [replace(e, details=visibility.audit_details(admin, e.details, users)) for e in events]


@dataclass(frozen=True)
class AuditFilter:
    """What a reader of the audit trail asks for: these actions, this administrator's (or
    user's) login, events concerning this location, events about this user, a time range."""

    actions: frozenset[str] | None = None
    actor: str | None = None
    location_id: int | None = None
    user_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None

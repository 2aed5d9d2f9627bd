"""Which audit events become webhook deliveries, and their payloads.

Called with every audit event as it is stored (``AuditTrail``, and the resets and
undos that store theirs in bulk), in the same transaction: a delivery commits with
the change it reports, or not at all, and queueing one only writes a row, so it never
holds a reset up. Each endpoint gets the events it subscribed to that its owner would
read in the audit log (``visibility.sees_audit_event``), with the details as the owner
reads them there. Audit events hold no secret, so neither does a payload.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from domain import visibility
from domain.global_ids import to_global_id
from domain.model import Administrator, AuditEvent, JsonValue, User
from domain.ports import UnitOfWork
from domain.principals import AdminPrincipal
from domain.webhook_model import WebhookDelivery, WebhookEndpoint, WebhookEventType

# The audit actions a webhook reports: those of the same name.
EVENT_OF_ACTION = {t.name: t for t in WebhookEventType if t is not WebhookEventType.PING}


def new_message_id() -> str:
    return "msg_" + uuid.uuid4().hex


def body(event_type: WebhookEventType, at: datetime, data: dict[str, JsonValue]) -> str:
    """The JSON sent, in the specification's shape: type, timestamp, data."""
    payload = {"type": event_type.value, "timestamp": _iso(at), "data": data}
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def delivery(
    endpoint: WebhookEndpoint, event_type: WebhookEventType, at: datetime, text: str
) -> WebhookDelivery:
    return WebhookDelivery(
        endpoint_id=endpoint.id,
        message_id=new_message_id(),
        event_type=event_type,
        body=text,
        created_at=at,
        next_attempt_at=at,
    )


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def _owner(admin: Administrator) -> AdminPrincipal:
    return AdminPrincipal(
        admin_id=admin.id,
        login=admin.login,
        location_ids=None if admin.is_system else admin.location_ids,
    )


def _data(event: AuditEvent, details: dict[str, JsonValue]) -> dict[str, JsonValue]:
    return {
        "action": event.action,
        "actor": event.actor,
        "at": _iso(event.at),
        "userId": (
            None if event.target_user_id is None else to_global_id("User", event.target_user_id)
        ),
        "locationId": (
            None if event.location_id is None else to_global_id("Location", event.location_id)
        ),
        "details": details,
    }


async def queue_deliveries(uow: UnitOfWork, events: Sequence[AuditEvent]) -> int:
    """Queues, in the caller's transaction, a delivery of each event to each active
    endpoint that receives it; the number queued. One statement when no endpoint is
    registered, a few more per batch of events otherwise."""
    reported = [e for e in events if e.action in EVENT_OF_ACTION]
    if not reported:
        return 0
    endpoints = await uow.webhooks.active_endpoints()
    wanted = [
        endpoint
        for endpoint in endpoints
        if any(EVENT_OF_ACTION[e.action] in endpoint.events for e in reported)
    ]
    if not wanted:
        return 0
    owners = await uow.administrators.get_many({e.owner_id for e in wanted})
    principals = {i: _owner(admin) for i, admin in owners.items()}
    users = await _users_named(uow, reported, principals.values())
    queued = [one for event in reported for one in _deliveries(event, wanted, principals, users)]
    await uow.webhooks.add_deliveries(queued)
    return len(queued)


async def _users_named(
    uow: UnitOfWork, events: Sequence[AuditEvent], owners: Iterable[AdminPrincipal]
) -> dict[int, User]:
    """Whom the events concern, and whom their details name, where a sub-administrator
    owns an endpoint: it reads neither the event nor a name outside its locations."""
    if all(owner.is_system for owner in owners):
        return {}
    named = {e.target_user_id for e in events if e.target_user_id is not None}
    named |= set().union(*(visibility.users_named_in(e.details) for e in events))
    return await uow.users.get_many(named) if named else {}


def _deliveries(
    event: AuditEvent,
    endpoints: Sequence[WebhookEndpoint],
    owners: dict[int, AdminPrincipal],
    users: dict[int, User],
) -> Iterator[WebhookDelivery]:
    """The event's delivery to each endpoint that subscribed to it and whose owner reads it."""
    event_type = EVENT_OF_ACTION[event.action]
    subject = users.get(event.target_user_id) if event.target_user_id else None
    concerned = (event.location_id, subject.location_id if subject else None)
    for endpoint in endpoints:
        owner = owners.get(endpoint.owner_id)
        if (
            owner is None
            or event_type not in endpoint.events
            or not visibility.sees_audit_event(owner, concerned)
        ):
            continue
        details = visibility.audit_details(owner, event.details, users)
        text = body(event_type, event.at, _data(event, details))
        yield delivery(endpoint, event_type, event.at, text)

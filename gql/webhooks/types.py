"""Webhook endpoints and deliveries, as the API shows them; never an endpoint's secret."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from domain.webhook_model import (
    WebhookDelivery as DomainDelivery,
)
from domain.webhook_model import (
    WebhookDeliveryStatus,
    WebhookEventType,
)
from domain.webhook_model import (
    WebhookEndpoint as DomainEndpoint,
)
from gql.accounts.types import Administrator
from gql.context import Info
from gql.enums import graphql_enum
from gql.ids import to_global_id
from gql.relay import Node

E = WebhookEventType
graphql_enum(
    WebhookEventType,
    description="What a webhook endpoint subscribes to; each is the audit event of the same "
    "name. The payload's type is the lower-case form given with each value.",
    values={
        E.USER_RESET: "user.reset: a user was reset (resetUsers), one event per user.",
        E.RESET_UNDONE: "reset.undone: a reset was undone for a user (undoReset).",
        E.MAIL_SENT: "mail.sent: the gateway accepted a mail (a password, a PIN, a test).",
        E.MAIL_FAILED: "mail.failed: a mail finally failed.",
        E.ADMINISTRATOR_CREATED: "administrator.created (system administrators' endpoints).",
        E.ADMINISTRATOR_BLOCKED: "administrator.blocked (system administrators' endpoints).",
        E.ADMINISTRATOR_UNBLOCKED: "administrator.unblocked (system administrators' endpoints).",
        E.ADMINISTRATOR_DELETED: "administrator.deleted (system administrators' endpoints).",
        E.PING: "webhook.ping: sent by pingWebhookEndpoint alone; subscribing changes nothing.",
    },
)
graphql_enum(
    WebhookDeliveryStatus,
    description="Where a delivery stands.",
    values={
        WebhookDeliveryStatus.PENDING: "Not delivered yet: due at nextAttemptAt.",
        WebhookDeliveryStatus.DELIVERED: "The receiver answered with a 2xx status.",
        WebhookDeliveryStatus.FAILED: (
            "Finally failed: every attempt failed, or the endpoint was switched off."
        ),
    },
)


@strawberry.type(description="One message to an endpoint, and how its attempts went.")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(description="The delivery's opaque ID.")
    message_id: str = strawberry.field(
        description="The webhook-id header: the same at every attempt, so a receiver can "
        "recognise a repeat."
    )
    event_type: WebhookEventType = strawberry.field(description="What it reports.")
    status: WebhookDeliveryStatus = strawberry.field(description="Where it stands.")
    attempts: int = strawberry.field(description="Attempts made so far.")
    last_status_code: int | None = strawberry.field(
        description="The HTTP status of the last attempt; null before the first or when the "
        "receiver gave none (a timeout, a refused connection: see lastError)."
    )
    last_error: str | None = strawberry.field(
        description="What went wrong at the last attempt; null once delivered."
    )
    created_at: datetime = strawberry.field(description="When it was queued (UTC).")
    last_attempt_at: datetime | None = strawberry.field(
        description="When it was last tried (UTC); null before the first attempt."
    )
    next_attempt_at: datetime | None = strawberry.field(
        description="When it is tried next (UTC); null once delivered or finally failed."
    )
    delivered_at: datetime | None = strawberry.field(
        description="When the receiver accepted it (UTC); null until then."
    )

    @classmethod
    def from_domain(cls, delivery: DomainDelivery) -> WebhookDelivery:
        pending = delivery.status is WebhookDeliveryStatus.PENDING
        return cls(
            id=strawberry.ID(to_global_id("WebhookDelivery", delivery.id)),
            message_id=delivery.message_id,
            event_type=delivery.event_type,
            status=delivery.status,
            attempts=delivery.attempts,
            last_status_code=delivery.last_status_code,
            last_error=delivery.last_error,
            created_at=delivery.created_at,
            last_attempt_at=delivery.last_attempt_at,
            next_attempt_at=delivery.next_attempt_at if pending else None,
            delivered_at=delivery.delivered_at,
        )


DeliveriesFirst = Annotated[
    int, strawberry.argument(description="How many, newest first: 0 to 100.")
]


@strawberry.type(
    description="A receiver of webhooks: signed HTTPS POSTs of the events it subscribed to "
    "that its owner would read in the audit log (docs/partners/webhooks.md)."
)
class WebhookEndpoint(Node):
    url: str = strawberry.field(description="Where deliveries are posted.")
    description: str = strawberry.field(description="Its owner's note; may be empty.")
    events: list[WebhookEventType] = strawberry.field(description="What it subscribed to.")
    active: bool = strawberry.field(
        description="Whether it receives deliveries; false once switched off, by hand or "
        "after CONNECT_WEBHOOK_SWITCH_OFF_AFTER deliveries in a row finally failed."
    )
    consecutive_failures: int = strawberry.field(
        description="Deliveries in a row that finally failed; a delivered one resets it."
    )
    disabled_at: datetime | None = strawberry.field(
        description="When it was switched off (UTC); null while active."
    )
    created_at: datetime = strawberry.field(description="When it was registered (UTC).")
    entity: strawberry.Private[DomainEndpoint]

    @classmethod
    def from_domain(cls, endpoint: DomainEndpoint) -> WebhookEndpoint:
        return cls(
            id=strawberry.ID(to_global_id("WebhookEndpoint", endpoint.id)),
            url=endpoint.url,
            description=endpoint.description,
            events=sorted(endpoint.events, key=list(WebhookEventType).index),
            active=endpoint.active,
            consecutive_failures=endpoint.consecutive_failures,
            disabled_at=endpoint.disabled_at,
            created_at=endpoint.created_at,
            entity=endpoint,
        )

    @strawberry.field(description="The administrator whose events it receives.")
    async def owner(self, info: Info) -> Administrator:
        admin = await info.context.loaders.administrator_by_id.load(self.entity.owner_id)
        assert admin is not None
        return Administrator.from_domain(admin)

    @strawberry.field(description="The delivery log: the latest deliveries, newest first.")
    async def deliveries(self, info: Info, first: DeliveriesFirst = 20) -> list[WebhookDelivery]:
        found = await info.context.services().webhooks.deliveries(
            info.context.principal, self.entity, first
        )
        return [WebhookDelivery.from_domain(d) for d in found]

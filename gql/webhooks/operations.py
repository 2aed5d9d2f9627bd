"""Webhook endpoints: list, register, switch on and off, delete, ping."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.webhook_model import WebhookEventType
from gql.context import Info
from gql.errors import UserError
from gql.ids import pk_of
from gql.payloads import PAYLOAD_ERRORS, MutationResult, Payload, payload_mutation
from gql.webhooks.types import WebhookDelivery, WebhookEndpoint


@strawberry.input(description="A new webhook endpoint.")
class CreateWebhookEndpointInput:
    url: str = strawberry.field(
        description="An absolute https URL of at most 2,048 characters (VALUE_TOO_LONG, "
        "INVALID_CHARACTERS), without user name, password or fragment (WEBHOOK_URL_INVALID), "
        "to a public address: not this host, "
        "not a loopback, private, link-local or reserved one, unless the operator allows "
        "them with CONNECT_WEBHOOKS_ALLOW_PRIVATE (WEBHOOK_URL_NOT_ALLOWED)."
    )
    events: list[WebhookEventType] = strawberry.field(
        description="What it subscribes to: at least one (REQUIRED)."
    )
    description: str | None = strawberry.field(
        default=None, description="A note for its owner, at most 200 characters."
    )


@strawberry.type(description="The answer of createWebhookEndpoint.")
class CreateWebhookEndpointPayload(Payload):
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(
        description="The endpoint as stored; null on failure."
    )
    secret: str | None = strawberry.field(
        description="The signing secret (whsec_…), shown this once and never again: the "
        "receiver verifies webhook-signature with it."
    )
    errors: list[UserError] = strawberry.field(description=PAYLOAD_ERRORS)


@strawberry.type(description="The answer of a mutation of a webhook endpoint.")
class WebhookEndpointPayload(Payload):
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(
        description="The endpoint as stored; null on failure."
    )
    errors: list[UserError] = strawberry.field(description=PAYLOAD_ERRORS)


@strawberry.type(description="The answer of pingWebhookEndpoint.")
class WebhookPingPayload(Payload):
    delivery: WebhookDelivery | None = strawberry.field(
        description="The ping as queued (PENDING); its outcome shows in the endpoint's "
        "deliveries. Null on failure."
    )
    errors: list[UserError] = strawberry.field(description=PAYLOAD_ERRORS)


EndpointId = Annotated[strawberry.ID, strawberry.argument(description="The endpoint.")]
NewEndpoint = Annotated[
    CreateWebhookEndpointInput, strawberry.argument(description="The new endpoint.")
]
Active = Annotated[bool, strawberry.argument(description="True switches it on, false off.")]
SIGNED_IN = (
    "Administrators, signed in (not with an API token: an endpoint outlives a token, so a "
    "leaked one must not make one); the caller's own endpoints, or any for a system "
    "administrator."
)


@strawberry.type
class WebhooksQuery:
    @strawberry.field(
        description="The webhook endpoints, oldest first: every one for a system "
        "administrator, otherwise the caller's own. Never their secrets."
    )
    async def webhook_endpoints(self, info: Info) -> list[WebhookEndpoint]:
        found = await info.context.services().webhooks.list_endpoints(info.context.principal)
        return [WebhookEndpoint.from_domain(e) for e in found]


@strawberry.type
class WebhooksMutation:
    @payload_mutation(
        description="Registers a webhook endpoint, active at once, for the caller's events: "
        "a sub-administrator's receives only events concerning its locations. At most 20 "
        "per administrator. "
        + SIGNED_IN
        + " Errors: REQUIRED, VALUE_TOO_LONG, INVALID_CHARACTERS, WEBHOOK_URL_INVALID, "
        "WEBHOOK_URL_NOT_ALLOWED, TOO_MANY_WEBHOOK_ENDPOINTS."
    )
    async def create_webhook_endpoint(
        self, info: Info, input: NewEndpoint
    ) -> CreateWebhookEndpointPayload:
        ctx = info.context
        endpoint, secret = await ctx.services().webhooks.create_endpoint(
            ctx.principal, input.url, input.events, input.description
        )
        return CreateWebhookEndpointPayload(
            webhook_endpoint=WebhookEndpoint.from_domain(endpoint), secret=secret, errors=[]
        )

    @payload_mutation(
        description="Switches an endpoint on (its count of failures starts afresh) or off "
        "(its pending deliveries fail when due). "
        + SIGNED_IN
        + " Errors: WEBHOOK_ENDPOINT_NOT_FOUND."
    )
    async def set_webhook_endpoint_active(
        self, info: Info, id: EndpointId, active: Active
    ) -> WebhookEndpointPayload:
        ctx = info.context
        endpoint = await ctx.services().webhooks.set_active(
            ctx.principal, pk_of(id, "WebhookEndpoint", "id"), active
        )
        return WebhookEndpointPayload(
            webhook_endpoint=WebhookEndpoint.from_domain(endpoint), errors=[]
        )

    @payload_mutation(
        description="Deletes an endpoint with its delivery log; deliveries not yet made are "
        "dropped. " + SIGNED_IN + " Errors: WEBHOOK_ENDPOINT_NOT_FOUND."
    )
    async def delete_webhook_endpoint(self, info: Info, id: EndpointId) -> MutationResult:
        ctx = info.context
        await ctx.services().webhooks.delete_endpoint(
            ctx.principal, pk_of(id, "WebhookEndpoint", "id")
        )
        return MutationResult.done()

    @payload_mutation(
        description="Queues a webhook.ping delivery to the endpoint, due at once, even while "
        "it is switched off; it counts towards no switch-off. Any administrator (an API "
        "token too) for an endpoint it sees. Errors: WEBHOOK_ENDPOINT_NOT_FOUND."
    )
    async def ping_webhook_endpoint(self, info: Info, id: EndpointId) -> WebhookPingPayload:
        ctx = info.context
        queued = await ctx.services().webhooks.ping(
            ctx.principal, pk_of(id, "WebhookEndpoint", "id")
        )
        return WebhookPingPayload(delivery=WebhookDelivery.from_domain(queued), errors=[])

"""The webhook deliveries' dispatcher: claims due deliveries, posts them signed, records
each outcome.

As the mail outbox: a dispatcher claims a batch (``claim_due``: disjoint claims across
processes, ``FOR UPDATE SKIP LOCKED`` on PostgreSQL) for ``webhook_claim_lease`` under a
token, posts outside any transaction, a few at once and each within
``webhook_timeout`` (so the batch ends well inside its claim), and records the outcomes
in one commit, each only while its claim still holds. A dispatcher that dies before it
recorded leaves its deliveries to be claimed again once the claim ran out: delivery is
at least once, and a repeat carries the same ``webhook-id``.

A 2xx reply delivers. Anything else (another status, a timeout, a refused connection,
an address not allowed) is retried after ``webhook_first_retry``, doubling up to
``webhook_max_retry_interval``, until ``webhook_max_attempts``; then the delivery has
finally failed. After ``webhook_switch_off_after`` deliveries of an endpoint in a row
finally failed, the endpoint is switched off (its pending deliveries fail when they come
due; the audit trail records WEBHOOK_ENDPOINT_SWITCHED_OFF); a delivered one starts the
count afresh. Pings count towards nothing.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from domain.ports import Clock, SecretBox, UnitOfWork, WebhookPost, WebhookReply, WebhookSender
from domain.principals import AdminPrincipal
from domain.services.audit import AuditTrail
from domain.services.backoff import doubling_delay
from domain.services.config import ServiceConfig
from domain.services.webhook_signature import headers
from domain.webhook_model import (
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
    WebhookEventType,
)

logger = logging.getLogger("connect_admin.webhooks")

SWITCHED_OFF = "the endpoint is switched off"
# The actor of the dispatcher's audit events (an endpoint switched off).
DISPATCHER = AdminPrincipal(admin_id=0, login="webhook-dispatcher", location_ids=None)


def retry_delay(config: ServiceConfig, attempts: int) -> timedelta:
    """Doubling from the first delay, never more than the largest interval."""
    return doubling_delay(config.webhook_first_retry, config.webhook_max_retry_interval, attempts)


def after_attempt(
    delivery: WebhookDelivery, reply: WebhookReply, now: datetime, config: ServiceConfig
) -> WebhookDelivery:
    attempted = replace(
        delivery,
        attempts=delivery.attempts + 1,
        claimed_until=None,
        claim_token=None,
        last_status_code=reply.status_code,
        last_error=None if reply.delivered else (reply.error or f"HTTP {reply.status_code}"),
        last_attempt_at=now,
    )
    if reply.delivered:
        return replace(attempted, status=WebhookDeliveryStatus.DELIVERED, delivered_at=now)
    if attempted.attempts >= config.webhook_max_attempts or reply.error == SWITCHED_OFF:
        return replace(attempted, status=WebhookDeliveryStatus.FAILED)
    return replace(attempted, next_attempt_at=now + retry_delay(config, attempted.attempts))


@dataclass(frozen=True)
class WebhookDispatch:
    uow: UnitOfWork
    clock: Clock
    audit: AuditTrail
    secrets: SecretBox
    sender: WebhookSender
    config: ServiceConfig

    async def dispatch_due(self) -> int:
        """Delivers what is due now, once; the number of deliveries claimed."""
        config = self.config
        now = self.clock.now()
        token = uuid.uuid4().hex
        until = now + config.webhook_claim_lease
        async with self.uow as uow:
            claimed = await uow.webhooks.claim_due(
                now, until, config.webhook_batch_size, token=token
            )
            endpoints = await uow.webhooks.endpoints_of(d.endpoint_id for d in claimed)
            await uow.commit()
        if not claimed:
            return 0
        turns = asyncio.Semaphore(config.webhook_concurrency)

        async def attempt(delivery: WebhookDelivery) -> WebhookReply | None:
            async with turns:
                return await self._attempt(delivery, endpoints.get(delivery.endpoint_id), until)

        replies = await asyncio.gather(*(attempt(d) for d in claimed))
        tried = [(d, r) for d, r in zip(claimed, replies, strict=True) if r is not None]
        await self._record(tried, token)
        return len(claimed)

    async def _attempt(
        self, delivery: WebhookDelivery, endpoint: WebhookEndpoint | None, until: datetime
    ) -> WebhookReply | None:
        """The reply, or None when the claim is too near its end to start (the delivery is
        claimed again afterwards)."""
        if endpoint is None or (
            not endpoint.active and delivery.event_type is not WebhookEventType.PING
        ):
            return WebhookReply(None, SWITCHED_OFF)
        if self.clock.now() + self.config.webhook_timeout >= until:
            return None
        try:
            secret = self.secrets.decrypt(endpoint.secret_ciphertext)
        except Exception as error:
            return WebhookReply(None, f"the secret cannot be read ({type(error).__name__})")
        content = delivery.body.encode()
        signed = headers(secret, delivery.message_id, self.clock.now(), content)
        try:
            return await self.sender.post(WebhookPost(endpoint.url, signed, content))
        except Exception as error:
            logger.exception("the webhook sender failed; the delivery is retried")
            return WebhookReply(None, f"the sender failed ({type(error).__name__})")

    async def _record(self, tried: list[tuple[WebhookDelivery, WebhookReply]], token: str) -> None:
        if not tried:
            return
        config = self.config
        async with self.uow as uow:
            now = self.clock.now()
            outcomes: dict[int, list[WebhookDeliveryStatus]] = {}
            for delivery, reply in tried:
                updated = after_attempt(delivery, reply, now, config)
                stored = await uow.webhooks.record_attempt(updated, token=token)
                if stored and delivery.event_type is not WebhookEventType.PING:
                    outcomes.setdefault(delivery.endpoint_id, []).append(updated.status)
            for endpoint_id, statuses in sorted(outcomes.items()):
                await self._count(uow, endpoint_id, statuses, now)
            await uow.commit()

    async def _count(
        self,
        uow: UnitOfWork,
        endpoint_id: int,
        statuses: list[WebhookDeliveryStatus],
        now: datetime,
    ) -> None:
        """Counts the endpoint's deliveries that finally failed in a row; switches it off
        at the limit."""
        endpoint = await uow.webhooks.get_endpoint(endpoint_id, for_update=True)
        if endpoint is None or not endpoint.active:
            return
        failures = endpoint.consecutive_failures
        for status in statuses:
            if status is WebhookDeliveryStatus.DELIVERED:
                failures = 0
            elif status is WebhookDeliveryStatus.FAILED:
                failures += 1
        if failures == endpoint.consecutive_failures:
            return
        off = failures >= self.config.webhook_switch_off_after
        if off:
            logger.warning(
                "webhook endpoint %d switched off after %d deliveries in a row failed",
                endpoint.id,
                failures,
            )
            await self.audit.record(uow, DISPATCHER, "WEBHOOK_ENDPOINT_SWITCHED_OFF",
                webhook_endpoint_id=endpoint.id, url=endpoint.url, failures=failures,
            )  # fmt: skip
        await uow.webhooks.update_endpoint(
            replace(
                endpoint,
                consecutive_failures=failures,
                active=not off,
                disabled_at=now if off else None,
            )
        )

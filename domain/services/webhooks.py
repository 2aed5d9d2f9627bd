"""Webhook endpoints, as administrators register and watch them.

Who may: any administrator, for itself. Registering, changing and deleting an endpoint
takes a signed-in session, not an API token: an endpoint keeps receiving events after
a token is revoked, so a token that leaks must not be able to make one (as it makes no
API token). A system administrator sees and manages every endpoint, another
administrator its own; an endpoint receives what its owner reads in the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from domain import visibility
from domain.error_codes import ErrorCode
from domain.errors import DomainError, NotAuthenticated, not_found
from domain.global_ids import to_global_id
from domain.ports import Clock, RandomSource, SecretBox, UnitOfWork
from domain.principals import AdminPrincipal, Principal, require_admin, require_signed_in_admin
from domain.services.audit import AuditTrail
from domain.services.config import ServiceConfig
from domain.services.validation import Problems
from domain.services.webhook_events import body, delivery
from domain.services.webhook_signature import new_secret
from domain.services.webhook_urls import check_url
from domain.webhook_model import WebhookDelivery, WebhookEndpoint, WebhookEventType

MAX_LOG_ENTRIES = 100


@dataclass(frozen=True)
class Webhooks:
    uow: UnitOfWork
    clock: Clock
    audit: AuditTrail
    random: RandomSource
    secrets: SecretBox
    config: ServiceConfig

    async def create_endpoint(
        self,
        actor: Principal,
        url: str,
        events: Iterable[WebhookEventType],
        description: str | None = None,
    ) -> tuple[WebhookEndpoint, str]:
        """A new endpoint, active, and its signing secret, which is shown this once."""
        admin = require_signed_in_admin(actor)
        problems = Problems()
        url = check_url(problems, url, allow_private=self.config.webhook_allow_private)
        subscribed = frozenset(events) - {WebhookEventType.PING}
        if not subscribed:
            problems.add(ErrorCode.REQUIRED, "Subscribe to at least one event.", "events")
        text = problems.optional_name(description, "description") or ""
        problems.raise_if_any()
        secret = new_secret(self.random.token())
        async with self.uow as uow:
            # Locked: an endpoint made while its owner is being blocked would outlive it.
            owner = await uow.administrators.get(admin.admin_id, for_update=True)
            if owner is None or owner.blocked:
                raise NotAuthenticated
            if (
                await uow.webhooks.count_endpoints(admin.admin_id)
                >= self.config.webhook_max_endpoints
            ):
                raise DomainError.of(
                    ErrorCode.TOO_MANY_WEBHOOK_ENDPOINTS,
                    f"At most {self.config.webhook_max_endpoints} endpoints per administrator.",
                )
            endpoint = await uow.webhooks.add_endpoint(
                WebhookEndpoint(
                    owner_id=admin.admin_id,
                    url=url,
                    events=subscribed,
                    secret_ciphertext=self.secrets.encrypt(secret),
                    created_at=self.clock.now(),
                    description=text,
                )
            )
            await self.audit.record(uow, actor, "WEBHOOK_ENDPOINT_CREATED",
                webhook_endpoint_id=endpoint.id, url=url,
                events=sorted(e.name for e in subscribed),
            )  # fmt: skip
            await uow.commit()
        return endpoint, secret

    async def list_endpoints(self, actor: Principal) -> list[WebhookEndpoint]:
        """Oldest first: every endpoint for a system administrator, otherwise its own.
        An API token reads them too: they reveal no secret."""
        admin = require_admin(actor)
        async with self.uow.reading() as uow:
            return await uow.webhooks.endpoints(visibility.webhook_endpoint_scope(admin))

    async def get_endpoint(self, actor: Principal, endpoint_id: int) -> WebhookEndpoint | None:
        admin = require_admin(actor)
        async with self.uow.reading() as uow:
            found = await uow.webhooks.get_endpoint(endpoint_id)
        return found if found and visibility.sees_webhook_endpoint(admin, found.owner_id) else None

    async def set_active(self, actor: Principal, endpoint_id: int, active: bool) -> WebhookEndpoint:
        """Switches the endpoint on (its count of failures starts afresh) or off; pending
        deliveries of an endpoint switched off fail when they are due."""
        admin = require_signed_in_admin(actor)
        async with self.uow as uow:
            endpoint = await self._visible(uow, admin, endpoint_id, for_update=True)
            if endpoint.active == active:
                return endpoint
            changed = replace(
                endpoint,
                active=active,
                consecutive_failures=0 if active else endpoint.consecutive_failures,
                disabled_at=None if active else self.clock.now(),
            )
            await uow.webhooks.update_endpoint(changed)
            await self.audit.record(uow, actor,
                "WEBHOOK_ENDPOINT_ENABLED" if active else "WEBHOOK_ENDPOINT_DISABLED",
                webhook_endpoint_id=endpoint.id,
            )  # fmt: skip
            await uow.commit()
        return changed

    async def delete_endpoint(self, actor: Principal, endpoint_id: int) -> None:
        """The endpoint and its delivery log; deliveries not yet made are dropped."""
        admin = require_signed_in_admin(actor)
        async with self.uow as uow:
            endpoint = await self._visible(uow, admin, endpoint_id, for_update=True)
            await uow.webhooks.delete_endpoint(endpoint.id)
            await self.audit.record(uow, actor, "WEBHOOK_ENDPOINT_DELETED",
                webhook_endpoint_id=endpoint.id, url=endpoint.url,
            )  # fmt: skip
            await uow.commit()

    async def ping(self, actor: Principal, endpoint_id: int) -> WebhookDelivery:
        """Queues a ``webhook.ping`` delivery, due at once; it is tried even while the
        endpoint is switched off, and its outcome counts towards no switch-off."""
        admin = require_admin(actor)
        now = self.clock.now()
        async with self.uow as uow:
            endpoint = await self._visible(uow, admin, endpoint_id)
            data = {
                "endpointId": to_global_id("WebhookEndpoint", endpoint.id),
                "requestedBy": admin.login,
            }
            queued = delivery(endpoint, WebhookEventType.PING, now,
                              body(WebhookEventType.PING, now, dict(data)))  # fmt: skip
            await uow.webhooks.add_deliveries([queued])
            await uow.commit()
        return queued

    async def deliveries(
        self, actor: Principal, endpoint: WebhookEndpoint, first: int
    ) -> list[WebhookDelivery]:
        """The endpoint's log, newest first, at most ``first`` (up to 100)."""
        admin = require_admin(actor)
        if not visibility.sees_webhook_endpoint(admin, endpoint.owner_id):
            return []
        async with self.uow.reading() as uow:
            return await uow.webhooks.deliveries(endpoint.id, max(0, min(first, MAX_LOG_ENTRIES)))

    async def _visible(
        self, uow: UnitOfWork, admin: AdminPrincipal, endpoint_id: int, *, for_update: bool = False
    ) -> WebhookEndpoint:
        found = await uow.webhooks.get_endpoint(endpoint_id, for_update=for_update)
        if found is None or not visibility.sees_webhook_endpoint(admin, found.owner_id):
            raise not_found(ErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND, "id")
        return found

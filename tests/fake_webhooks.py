"""The webhooks' repository in memory, for tests/fakes.py's unit of work."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from domain.model import Administrator
from domain.webhook_model import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint


class WebhookTables(Protocol):
    administrators: dict[int, Administrator]
    webhook_endpoints: dict[int, WebhookEndpoint]
    webhook_deliveries: dict[int, WebhookDelivery]

    def next_id(self, table: str) -> int: ...


class Store(Protocol):
    @property
    def store(self) -> WebhookTables: ...


class FakeWebhookRepository:
    """Like the SQL one: deliveries go with their endpoint, endpoints with their owner."""

    def __init__(self, uow: Store) -> None:
        self._uow = uow

    @property
    def _db(self) -> WebhookTables:
        return self._uow.store

    async def add_endpoint(self, endpoint: WebhookEndpoint) -> WebhookEndpoint:
        endpoint.id = self._db.next_id("webhook_endpoints")
        self._db.webhook_endpoints[endpoint.id] = copy.deepcopy(endpoint)
        return endpoint

    async def get_endpoint(
        self, endpoint_id: int, *, for_update: bool = False
    ) -> WebhookEndpoint | None:
        return copy.deepcopy(self._db.webhook_endpoints.get(endpoint_id))

    async def endpoints(self, owner_id: int | None = None) -> list[WebhookEndpoint]:
        return [
            copy.deepcopy(e)
            for _, e in sorted(self._db.webhook_endpoints.items())
            if owner_id is None or e.owner_id == owner_id
        ]

    async def endpoints_of(self, ids: Iterable[int]) -> dict[int, WebhookEndpoint]:
        found = self._db.webhook_endpoints
        return {i: copy.deepcopy(found[i]) for i in set(ids) if i in found}

    async def active_endpoints(self) -> list[WebhookEndpoint]:
        admins = self._db.administrators
        return [
            e
            for e in await self.endpoints()
            if e.active and e.owner_id in admins and not admins[e.owner_id].blocked
        ]

    async def count_endpoints(self, owner_id: int) -> int:
        return len(await self.endpoints(owner_id))

    async def update_endpoint(self, endpoint: WebhookEndpoint) -> None:
        if endpoint.id in self._db.webhook_endpoints:
            self._db.webhook_endpoints[endpoint.id] = copy.deepcopy(endpoint)

    async def delete_endpoint(self, endpoint_id: int) -> None:
        self._db.webhook_endpoints.pop(endpoint_id, None)
        for key, d in list(self._db.webhook_deliveries.items()):
            if d.endpoint_id == endpoint_id:
                del self._db.webhook_deliveries[key]

    async def add_deliveries(self, deliveries: Sequence[WebhookDelivery]) -> None:
        for delivery in deliveries:
            delivery.id = self._db.next_id("webhook_deliveries")
            self._db.webhook_deliveries[delivery.id] = copy.deepcopy(delivery)

    async def deliveries(self, endpoint_id: int, limit: int) -> list[WebhookDelivery]:
        mine = [d for _, d in sorted(self._db.webhook_deliveries.items(), reverse=True)]
        return [copy.deepcopy(d) for d in mine if d.endpoint_id == endpoint_id][:limit]

    async def get_delivery(self, delivery_id: int) -> WebhookDelivery | None:
        return copy.deepcopy(self._db.webhook_deliveries.get(delivery_id))

    async def claim_due(
        self, now: datetime, claim_until: datetime, limit: int, *, token: str
    ) -> list[WebhookDelivery]:
        due = sorted(
            (
                d
                for d in self._db.webhook_deliveries.values()
                if d.status is WebhookDeliveryStatus.PENDING
                and d.next_attempt_at <= now
                and (d.claimed_until is None or d.claimed_until < now)
            ),
            key=lambda d: (d.next_attempt_at, d.id),
        )[: max(limit, 0)]
        claimed = [replace(d, claimed_until=claim_until, claim_token=token) for d in due]
        for delivery in claimed:
            self._db.webhook_deliveries[delivery.id] = copy.deepcopy(delivery)
        return claimed

    async def record_attempt(self, delivery: WebhookDelivery, *, token: str) -> bool:
        stored = self._db.webhook_deliveries.get(delivery.id)
        if stored is None or stored.claim_token != token:
            return False
        if stored.status is not WebhookDeliveryStatus.PENDING:
            return False
        self._db.webhook_deliveries[delivery.id] = copy.deepcopy(delivery)
        return True

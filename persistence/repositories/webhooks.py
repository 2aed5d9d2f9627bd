"""Webhook endpoints, and the outbox of deliveries claimed by one dispatcher at a time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, select, update

from domain.webhook_model import (
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
    WebhookEventType,
)
from persistence.repositories._base import Executor, distinct_ids, from_row, row_values
from persistence.tables import administrators, webhook_deliveries, webhook_endpoints

PENDING = WebhookDeliveryStatus.PENDING.name


def _endpoint_values(endpoint: WebhookEndpoint) -> dict[str, Any]:
    events = sorted(event.name for event in endpoint.events)
    return row_values(endpoint, webhook_endpoints, events=events)


def _endpoint(row: Row[Any]) -> WebhookEndpoint:
    events = frozenset(WebhookEventType[name] for name in row.events or [])
    return from_row(WebhookEndpoint, row, events=events)


def _delivery_values(delivery: WebhookDelivery) -> dict[str, Any]:
    return row_values(
        delivery,
        webhook_deliveries,
        event_type=delivery.event_type.name,
        status=delivery.status.name,
    )


def _delivery(row: Row[Any]) -> WebhookDelivery:
    return from_row(
        WebhookDelivery,
        row,
        event_type=WebhookEventType[row.event_type],
        status=WebhookDeliveryStatus[row.status],
    )


class SqlWebhookRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def add_endpoint(self, endpoint: WebhookEndpoint) -> WebhookEndpoint:
        endpoint.id = await self._ex.insert_id(webhook_endpoints, _endpoint_values(endpoint))
        return endpoint

    async def get_endpoint(
        self, endpoint_id: int, *, for_update: bool = False
    ) -> WebhookEndpoint | None:
        stmt = select(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id)
        if for_update:
            stmt = stmt.with_for_update()
        return await self._ex.first(stmt, _endpoint)

    async def endpoints(self, owner_id: int | None = None) -> list[WebhookEndpoint]:
        stmt = select(webhook_endpoints).order_by(webhook_endpoints.c.id)
        if owner_id is not None:
            stmt = stmt.where(webhook_endpoints.c.owner_id == owner_id)
        return [_endpoint(row) for row in await self._ex.execute(stmt)]

    async def endpoints_of(self, ids: Iterable[int]) -> dict[int, WebhookEndpoint]:
        wanted = distinct_ids(ids)
        if not wanted:
            return {}
        stmt = select(webhook_endpoints).where(webhook_endpoints.c.id.in_(wanted))
        return {row.id: _endpoint(row) for row in await self._ex.execute(stmt)}

    async def active_endpoints(self) -> list[WebhookEndpoint]:
        stmt = (
            select(webhook_endpoints)
            .join(administrators, administrators.c.id == webhook_endpoints.c.owner_id)
            .where(webhook_endpoints.c.active.is_(True), administrators.c.blocked.is_(False))
            .order_by(webhook_endpoints.c.id)
        )
        return [_endpoint(row) for row in await self._ex.execute(stmt)]

    async def count_endpoints(self, owner_id: int) -> int:
        return await self._ex.count(webhook_endpoints, webhook_endpoints.c.owner_id == owner_id)

    async def update_endpoint(self, endpoint: WebhookEndpoint) -> None:
        await self._ex.execute(
            update(webhook_endpoints)
            .where(webhook_endpoints.c.id == endpoint.id)
            .values(_endpoint_values(endpoint))
        )

    async def delete_endpoint(self, endpoint_id: int) -> None:
        # Explicitly, not only by the foreign key: SQLite enforces it only when asked.
        await self._ex.execute(
            delete(webhook_deliveries).where(webhook_deliveries.c.endpoint_id == endpoint_id)
        )
        await self._ex.execute(
            delete(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id)
        )

    async def add_deliveries(self, deliveries: Sequence[WebhookDelivery]) -> None:
        if deliveries:
            await self._ex.insert_many(
                webhook_deliveries, [_delivery_values(d) for d in deliveries]
            )

    async def deliveries(self, endpoint_id: int, limit: int) -> list[WebhookDelivery]:
        stmt = (
            select(webhook_deliveries)
            .where(webhook_deliveries.c.endpoint_id == endpoint_id)
            .order_by(webhook_deliveries.c.id.desc())
            .limit(limit)
        )
        return [_delivery(row) for row in await self._ex.execute(stmt)]

    async def get_delivery(self, delivery_id: int) -> WebhookDelivery | None:
        stmt = select(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id)
        return await self._ex.first(stmt, _delivery)

    async def record_attempt(self, delivery: WebhookDelivery, *, token: str) -> bool:
        result = await self._ex.execute(
            update(webhook_deliveries)
            .where(
                webhook_deliveries.c.id == delivery.id,
                webhook_deliveries.c.claim_token == token,
                webhook_deliveries.c.status == PENDING,
            )
            .values(_delivery_values(delivery))
            .returning(webhook_deliveries.c.id)
        )
        return result.first() is not None

    async def claim_due(
        self, now: datetime, claim_until: datetime, limit: int, *, token: str
    ) -> list[WebhookDelivery]:
        """As ``SqlOutboxRepository.claim_due``: ``FOR UPDATE SKIP LOCKED`` then
        ``UPDATE`` on PostgreSQL, one ``UPDATE … RETURNING`` under SQLite's write lock."""
        if limit <= 0:
            return []
        table = webhook_deliveries
        due = (
            table.c.status == PENDING,
            table.c.next_attempt_at <= now,
            table.c.claimed_until.is_(None) | (table.c.claimed_until < now),
        )
        order = (table.c.next_attempt_at, table.c.id)
        claim = {"claimed_until": claim_until, "claim_token": token}
        if self._ex.dialect_name == "postgresql":
            stmt = select(table).where(*due).order_by(*order).limit(limit)
            claimed = [
                _delivery(row)
                for row in await self._ex.execute(stmt.with_for_update(skip_locked=True))
            ]
            if claimed:
                await self._ex.execute(
                    update(table).where(table.c.id.in_([d.id for d in claimed])).values(claim)
                )
        else:
            chosen = select(table.c.id).where(*due).order_by(*order).limit(limit)
            result = await self._ex.execute(
                update(table).where(table.c.id.in_(chosen)).values(claim).returning(*table.c)
            )
            claimed = sorted(
                (_delivery(row) for row in result), key=lambda d: (d.next_attempt_at, d.id)
            )
        for delivery in claimed:
            delivery.claimed_until, delivery.claim_token = claim_until, token
        return claimed

"""The webhooks' ports: their repository, and the sender that posts a delivery."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.webhook_model import WebhookDelivery, WebhookEndpoint

__all__ = [
    "WebhookPost",
    "WebhookReply",
    "WebhookRepository",
    "WebhookSender",
]


class WebhookRepository(Protocol):
    """Endpoints and their deliveries; every method runs in the unit of work's transaction."""

    async def add_endpoint(self, endpoint: WebhookEndpoint) -> WebhookEndpoint: ...

    async def get_endpoint(
        self, endpoint_id: int, *, for_update: bool = False
    ) -> WebhookEndpoint | None: ...

    async def endpoints(self, owner_id: int | None = None) -> list[WebhookEndpoint]:
        """Oldest first; one owner's, or (None) everybody's."""
        ...

    async def endpoints_of(self, ids: Iterable[int]) -> dict[int, WebhookEndpoint]: ...

    async def active_endpoints(self) -> list[WebhookEndpoint]:
        """Those that receive deliveries, with owners that are not blocked."""
        ...

    async def count_endpoints(self, owner_id: int) -> int: ...

    async def update_endpoint(self, endpoint: WebhookEndpoint) -> None: ...

    async def delete_endpoint(self, endpoint_id: int) -> None:
        """The endpoint and its deliveries."""
        ...

    async def add_deliveries(self, deliveries: Sequence[WebhookDelivery]) -> None: ...

    async def deliveries(self, endpoint_id: int, limit: int) -> list[WebhookDelivery]:
        """Newest first."""
        ...

    async def get_delivery(self, delivery_id: int) -> WebhookDelivery | None: ...

    async def claim_due(
        self, now: datetime, claim_until: datetime, limit: int, *, token: str
    ) -> list[WebhookDelivery]:
        """Pending deliveries due at ``now`` whose claim is unset or ran out, oldest
        first, at most ``limit``, claimed until ``claim_until`` under ``token``; several
        dispatchers claim disjoint ones (as ``OutboxRepository.claim_due``)."""
        ...

    async def record_attempt(self, delivery: WebhookDelivery, *, token: str) -> bool:
        """Stores the attempt's outcome if the claim ``token`` still holds the delivery."""
        ...


@dataclass(frozen=True)
class WebhookPost:
    """One signed request: the endpoint's URL, the headers to send, the body as is."""

    url: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class WebhookReply:
    """The receiver's HTTP status, or None with what went wrong (a timeout, a refused
    connection, an address that is not allowed)."""

    status_code: int | None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookSender(Protocol):
    async def post(self, request: WebhookPost) -> WebhookReply:
        """Posts within the sender's timeout; never raises for the receiver's faults."""
        ...

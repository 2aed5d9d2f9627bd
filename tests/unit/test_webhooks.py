"""Webhook rules with the in-memory fakes: where endpoints may point, who may register
them, which events each receives, the back-off, the signature."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from domain.errors import DomainError, Forbidden
from domain.global_ids import to_global_id
from domain.ports import WebhookReply
from domain.principals import AdminPrincipal
from domain.services.auth import admin_principal
from domain.services.config import ServiceConfig
from domain.services.reset import ResetOption
from domain.services.validation import Problems
from domain.services.webhook_dispatch import after_attempt, retry_delay
from domain.services.webhook_events import queue_deliveries
from domain.services.webhook_signature import headers, new_secret
from domain.services.webhook_urls import address_allowed, check_url
from domain.webhook_model import WebhookDelivery, WebhookDeliveryStatus, WebhookEventType
from tests.fakes import FakeServices
from tests.unit import given

RESETS = [WebhookEventType.USER_RESET]


def problems_of(url: str, *, allow_private: bool = False) -> list[str]:
    problems = Problems()
    check_url(problems, url, allow_private=allow_private)
    return [p.code for p in problems.items]


class TestWhereEndpointsMayPoint:
    @pytest.mark.parametrize(
        "url",
        [
            "https://hooks.partner.example/connect",
            "https://8.8.8.8/x",
            "https://[2001:4860::8888]/",
        ],
    )
    def test_https_to_a_public_address_is_fine(self, url: str) -> None:
        assert problems_of(url) == []

    @pytest.mark.parametrize(
        "url",
        ["https://100.64.0.1/", "https://172.16.0.1/", "https://[fd00::1]/", "https://0.0.0.0/",
         "https://[fe80::1]/", "https://224.0.0.1/", "https://LOCALHOST./", "https://a.localhost/"],
    )  # fmt: skip
    def test_inner_addresses_are_not_allowed(self, url: str) -> None:
        assert problems_of(url) == ["WEBHOOK_URL_NOT_ALLOWED"]

    @pytest.mark.parametrize(
        "url",
        ["partner.example/hook", "https://", "https://a.example:99999/", "https://a.example/#x",
         "https://a.example/a b"],
    )  # fmt: skip
    def test_malformed_urls_are_invalid(self, url: str) -> None:
        assert problems_of(url) == ["WEBHOOK_URL_INVALID"]

    def test_control_characters_and_length_as_in_every_text(self) -> None:
        assert problems_of("https://a.example/\x00") == ["INVALID_CHARACTERS"]
        assert problems_of("https://a.example/\r\nX: y") == ["INVALID_CHARACTERS"]
        assert problems_of("https://" + "a" * 2048 + ".example/") == ["VALUE_TOO_LONG"]

    def test_the_operators_switch_allows_http_and_inner_addresses(self) -> None:
        assert problems_of("http://127.0.0.1:8080/hook", allow_private=True) == []
        assert address_allowed("10.0.0.1", allow_private=True)
        assert not address_allowed("::ffff:10.0.0.1", allow_private=False)


class TestWhoRegisters:
    async def test_an_api_token_registers_no_endpoint(self, services: FakeServices) -> None:
        admin = await given.administrator(services)
        through_token = AdminPrincipal(admin.id, "root", None, via_api_token=True)
        with pytest.raises(Forbidden):
            await services.webhooks.create_endpoint(through_token, "https://hooks.example/", RESETS)

    async def test_a_ping_alone_is_no_subscription(self, services: FakeServices) -> None:
        admin = await given.administrator(services)
        with pytest.raises(DomainError) as refused:
            await services.webhooks.create_endpoint(
                admin_principal(admin), "https://hooks.example/", [WebhookEventType.PING]
            )
        assert [(p.code, p.field) for p in refused.value.problems] == [("REQUIRED", ("events",))]

    async def test_at_most_so_many_endpoints(self, services: FakeServices) -> None:
        root = admin_principal(await given.administrator(services))
        for n in range(ServiceConfig().webhook_max_endpoints):
            await services.webhooks.create_endpoint(root, f"https://hooks.example/{n}", RESETS)
        with pytest.raises(DomainError) as refused:
            await services.webhooks.create_endpoint(root, "https://hooks.example/x", RESETS)
        assert refused.value.problems[0].code == "TOO_MANY_WEBHOOK_ENDPOINTS"


class TestWhichEventsGoWhere:
    async def test_a_sub_administrator_receives_its_locations_events_only(
        self, services: FakeServices
    ) -> None:
        north = await given.location(services, "North")
        south = await given.location(services, "South")
        nora = await given.user(services, "nora", north.id)
        sven = await given.user(services, "sven", south.id)
        root = admin_principal(await given.administrator(services))
        sub = admin_principal(await given.administrator(services, "sub", location_ids=[north.id]))
        mine, _ = await services.webhooks.create_endpoint(sub, "https://hooks.example/", RESETS)
        everything, _ = await services.webhooks.create_endpoint(
            root, "https://hooks.example/all", RESETS
        )

        await services.reset.reset_users(
            root, [("nora", nora.id), ("sven", sven.id)], [ResetOption.RELATIONSHIPS]
        )

        def users_of(endpoint_id: int) -> list[str]:
            return sorted(
                json.loads(d.body)["data"]["userId"]
                for d in services.uow.data.webhook_deliveries.values()
                if d.endpoint_id == endpoint_id
            )

        assert users_of(mine.id) == [given_id(nora.id)]
        assert users_of(everything.id) == sorted([given_id(nora.id), given_id(sven.id)])

    async def test_without_endpoints_nothing_is_read_beyond_them(
        self, services: FakeServices
    ) -> None:
        async with services.uow as uow:
            event = services.audit_trail.event(given.ROOT, "USER_RESET", target_user_id=1)
            assert await queue_deliveries(uow, [event]) == 0
            unreported = services.audit_trail.event(given.ROOT, "LOCATION_CREATED")
            assert await queue_deliveries(uow, [unreported]) == 0


def given_id(user_id: int) -> str:
    return to_global_id("User", user_id)


class TestRetries:
    def test_the_back_off_doubles_up_to_an_hour(self) -> None:
        config = ServiceConfig()
        delays = [retry_delay(config, n) for n in range(1, config.webhook_max_attempts)]
        assert delays[:3] == [timedelta(seconds=10), timedelta(seconds=20), timedelta(seconds=40)]
        assert max(delays) == timedelta(hours=1)
        # docs/partners/webhooks.md: 12 attempts over about 3 h 25 min.
        assert sum(delays, timedelta()) == timedelta(hours=3, minutes=25, seconds=10)

    def test_the_last_attempt_is_final(self) -> None:
        config = ServiceConfig(webhook_max_attempts=2)
        now = datetime(2026, 1, 1, tzinfo=UTC)
        delivery = WebhookDelivery(1, "msg_1", WebhookEventType.USER_RESET, "{}", now, now)
        once = after_attempt(delivery, WebhookReply(500), now, config)
        assert (once.status, once.next_attempt_at) == (
            WebhookDeliveryStatus.PENDING, now + timedelta(seconds=10),
        )  # fmt: skip
        twice = after_attempt(once, WebhookReply(None, "timeout"), now, config)
        assert (twice.status, twice.last_error) == (WebhookDeliveryStatus.FAILED, "timeout")
        delivered = after_attempt(once, WebhookReply(204), now, config)
        assert (delivered.status, delivered.delivered_at) == (WebhookDeliveryStatus.DELIVERED, now)


def test_the_signature_is_the_reference_librarys() -> None:
    secret = new_secret("an unguessable token")
    at = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    body = b'{"type":"webhook.ping"}'
    signed = headers(secret, "msg_1", at, body)
    assert signed["webhook-signature"] == Webhook(secret).sign("msg_1", at, body)
    assert signed["webhook-timestamp"] == str(int(at.timestamp()))

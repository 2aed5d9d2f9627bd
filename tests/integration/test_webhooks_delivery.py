"""Webhook deliveries end to end: the real services and database, the HTTP sender, a
receiver on 127.0.0.1 (tests/webhook_receiver.py). Time is the services' FakeClock,
started at the real time (receivers check the signature's timestamp), so retries come
due when the test moves it on; nothing waits for a wall-clock delay but a timeout."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from standardwebhooks import Webhook

from adapters.webhook_sender import HttpWebhookSender
from domain.errors import DomainError
from domain.global_ids import to_global_id
from domain.model import Administrator, Location, SmtpSecurity, User
from domain.ports import WebhookPost
from domain.principals import AdminPrincipal
from domain.services.audit import AuditFilter
from domain.services.auth import admin_principal
from domain.services.mail import GatewayInput
from domain.services.paging import PageRequest
from domain.services.registry import Services
from domain.services.reset import ResetOption
from domain.webhook_model import WebhookDeliveryStatus, WebhookEndpoint, WebhookEventType
from persistence.tables import outbox
from server.container import services_factory
from server.settings import Settings
from tests.fakes import FakeClock
from tests.webhook_receiver import HANG, Receiver, running_receiver

RESETS = [WebhookEventType.USER_RESET]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with running_receiver() as running:
        yield running


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC))


def settings_for(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "secret_key": "webhook-test-key",
        "webhooks_allow_private": True,
        "webhook_timeout_seconds": 5,
        **overrides,
    }
    return Settings(**values)


@pytest.fixture
def make(
    clean_database: AsyncEngine, database_url: str, clock: FakeClock
) -> Callable[..., Services]:
    """Fresh services (their own unit of work) on the emptied database."""

    def services(**overrides: Any) -> Services:
        factory = services_factory(
            clean_database, settings_for(database_url, **overrides), clock=clock
        )
        return factory()

    return services


class Organisation:
    """Two locations with a user each, a system administrator and a sub-administrator of
    the first location."""

    north: Location
    south: Location
    north_user: User
    south_user: User
    root: AdminPrincipal
    sub: AdminPrincipal

    @classmethod
    async def made(cls, services: Services) -> Organisation:
        made = cls()
        async with services.uow as uow:
            made.north = await uow.locations.add(Location(name="North"))
            made.south = await uow.locations.add(Location(name="South"))
            made.north_user = await uow.users.add(
                User(login="nora", last_name="N", location_id=made.north.id)
            )
            made.south_user = await uow.users.add(
                User(login="sven", last_name="S", location_id=made.south.id)
            )
            root = await uow.administrators.add(
                Administrator(login="root", last_name="Root", password_hash="$argon2id$x")
            )
            sub = await uow.administrators.add(
                Administrator(login="sub", last_name="Sub", password_hash="$argon2id$x",
                              location_ids=frozenset({made.north.id}))
            )  # fmt: skip
            await uow.commit()
        made.root, made.sub = admin_principal(root), admin_principal(sub)
        return made


@pytest.fixture
async def org(make: Callable[..., Services]) -> Organisation:
    return await Organisation.made(make())


async def register(
    services: Services,
    actor: AdminPrincipal,
    url: str,
    events: list[WebhookEventType] = RESETS,
) -> tuple[WebhookEndpoint, str]:
    return await services.webhooks.create_endpoint(actor, url, events)


async def reset(services: Services, actor: AdminPrincipal, *users: User) -> None:
    await services.reset.reset_users(
        actor, [(str(u.id), u.id) for u in users], [ResetOption.RELATIONSHIPS]
    )


def verified(secret: str, received: Any) -> dict[str, Any]:
    """The payload, once the reference library verified its signature."""
    payload: dict[str, Any] = Webhook(secret).verify(received.body, received.headers)
    return payload


async def test_a_reset_is_delivered_signed_as_standard_webhooks_say(
    make: Callable[..., Services], org: Organisation, receiver: Receiver
) -> None:
    endpoint, secret = await register(make(), org.root, receiver.url())
    assert secret.startswith("whsec_")
    await reset(make(), org.root, org.north_user)

    assert await make().webhook_dispatch.dispatch_due() == 1

    (received,) = await receiver.wait_for(1)
    payload = verified(secret, received)
    assert payload["type"] == "user.reset"
    assert payload["data"]["userId"] == to_global_id("User", org.north_user.id)
    assert payload["data"]["locationId"] == to_global_id("Location", org.north.id)
    assert payload["data"]["details"]["options"] == ["RELATIONSHIPS"]
    assert received.headers["webhook-id"].startswith("msg_")
    assert "secret" not in received.body.decode().lower()
    (logged,) = await make().webhooks.deliveries(org.root, endpoint, 10)
    assert (logged.status, logged.attempts, logged.last_status_code) == (
        WebhookDeliveryStatus.DELIVERED, 1, 204,
    )  # fmt: skip
    assert logged.message_id == received.headers["webhook-id"]


async def test_a_password_reset_delivers_no_secret(
    make: Callable[..., Services], org: Organisation, receiver: Receiver, engine: AsyncEngine
) -> None:
    services = make()
    await services.mail.configure_gateway(
        org.root,
        GatewayInput(host="smtp.example", port=25, security=SmtpSecurity.NONE,
                     sender_address="connect@example.org", username="relay",
                     password="Gateway-Secret-1"),
    )  # fmt: skip
    async with services.uow as uow:
        user = await uow.users.add(
            User(login="mia", last_name="M", location_id=org.north.id, email="mia@example.org")
        )
        await uow.commit()
    await register(services, org.root, receiver.url())
    await services.reset.reset_users(
        org.root, [("mia", user.id)], [ResetOption.PASSWORD, ResetOption.VOICEMAIL_PIN]
    )
    async with engine.connect() as connection:
        (ciphertext,) = (await connection.execute(select(outbox.c.secret_ciphertext))).scalars()
    password = services.secrets.decrypt(ciphertext)

    await make().webhook_dispatch.dispatch_due()

    (received,) = await receiver.wait_for(1)
    text = received.body.decode()
    assert json.loads(text)["data"]["details"]["options"] == ["PASSWORD", "VOICEMAIL_PIN"]
    for secret in (password, "Gateway-Secret-1", "argon2", ciphertext):
        assert secret not in text


async def test_a_500_is_retried_after_the_back_off_with_the_same_id(
    make: Callable[..., Services], org: Organisation, receiver: Receiver, clock: FakeClock
) -> None:
    endpoint, secret = await register(make(), org.root, receiver.url())
    await reset(make(), org.root, org.north_user)
    receiver.script = [500]

    await make().webhook_dispatch.dispatch_due()
    (failed,) = await make().webhooks.deliveries(org.root, endpoint, 10)
    assert (failed.status, failed.attempts, failed.last_status_code) == (
        WebhookDeliveryStatus.PENDING, 1, 500,
    )  # fmt: skip
    assert failed.next_attempt_at == clock.now() + timedelta(seconds=10)
    assert await make().webhook_dispatch.dispatch_due() == 0  # not due yet

    clock.advance(seconds=10)
    assert await make().webhook_dispatch.dispatch_due() == 1
    first, second = await receiver.wait_for(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    verified(secret, second)
    (delivered,) = await make().webhooks.deliveries(org.root, endpoint, 10)
    assert (delivered.status, delivered.attempts) == (WebhookDeliveryStatus.DELIVERED, 2)


async def test_a_timeout_is_retried(
    make: Callable[..., Services], org: Organisation, receiver: Receiver, clock: FakeClock
) -> None:
    endpoint, _ = await register(make(), org.root, receiver.url())
    await reset(make(), org.root, org.north_user)
    receiver.script = [HANG]

    await make(webhook_timeout_seconds=0.5).webhook_dispatch.dispatch_due()  # cut off
    (timed_out,) = await make().webhooks.deliveries(org.root, endpoint, 10)
    assert timed_out.status is WebhookDeliveryStatus.PENDING
    assert timed_out.last_status_code is None
    assert "no reply within" in (timed_out.last_error or "")

    clock.advance(seconds=10)
    await make().webhook_dispatch.dispatch_due()
    await receiver.wait_for(2)
    (delivered,) = await make().webhooks.deliveries(org.root, endpoint, 10)
    assert (delivered.status, delivered.attempts) == (WebhookDeliveryStatus.DELIVERED, 2)


async def test_a_delivery_whose_dispatcher_died_is_delivered_once_its_claim_ran_out(
    make: Callable[..., Services], org: Organisation, receiver: Receiver, clock: FakeClock
) -> None:
    endpoint, secret = await register(make(), org.root, receiver.url())
    await reset(make(), org.root, org.north_user)
    receiver.script = [HANG]
    settings = {"webhook_timeout_seconds": 30}

    # The first dispatcher is stopped dead while its request is in flight: it records
    # nothing, as a killed process would not.
    doomed = asyncio.create_task(make(**settings).webhook_dispatch.dispatch_due())
    await receiver.wait_for(1)
    doomed.cancel()
    with pytest.raises(asyncio.CancelledError):
        await doomed
    (claimed,) = await make().webhooks.deliveries(org.root, endpoint, 10)
    assert claimed.status is WebhookDeliveryStatus.PENDING
    assert claimed.attempts == 0
    assert claimed.claimed_until is not None
    assert await make(**settings).webhook_dispatch.dispatch_due() == 0  # still claimed

    clock.set(claimed.claimed_until + timedelta(seconds=1))
    assert await make(**settings).webhook_dispatch.dispatch_due() == 1
    first, again = await receiver.wait_for(2)
    assert again.headers["webhook-id"] == first.headers["webhook-id"]
    verified(secret, again)
    (delivered,) = await make().webhooks.deliveries(org.root, endpoint, 10)
    assert (delivered.status, delivered.attempts) == (WebhookDeliveryStatus.DELIVERED, 1)


async def test_dispatchers_at_once_deliver_each_once(
    make: Callable[..., Services], org: Organisation, receiver: Receiver
) -> None:
    await register(make(), org.root, receiver.url())
    many = []
    async with make().uow as uow:
        for n in range(12):
            many.append(
                await uow.users.add(User(login=f"u{n}", last_name="U", location_id=org.north.id))
            )
        await uow.commit()
    await reset(make(), org.root, *many)

    await asyncio.gather(*(make().webhook_dispatch.dispatch_due() for _ in range(3)))
    while await make().webhook_dispatch.dispatch_due():
        pass

    received = await receiver.wait_for(12)
    assert Counter(r.headers["webhook-id"] for r in received) == Counter(
        dict.fromkeys({r.headers["webhook-id"] for r in received}, 1)
    )
    assert len(receiver.received) == 12


async def test_a_sub_administrators_endpoint_gets_only_its_locations_events(
    make: Callable[..., Services], org: Organisation, receiver: Receiver
) -> None:
    events = [*RESETS, WebhookEventType.ADMINISTRATOR_BLOCKED]
    _, sub_secret = await register(make(), org.sub, receiver.url("/sub"), events)
    await register(make(), org.root, receiver.url("/root"), events)
    await reset(make(), org.root, org.north_user, org.south_user)
    await make().administrators.block_administrator(
        AdminPrincipal(org.root.admin_id, "root", None), org.sub.admin_id
    )

    while await make().webhook_dispatch.dispatch_due():
        pass

    await receiver.wait_for(3)
    by_path: dict[str, list[dict[str, Any]]] = {}
    for r in receiver.received:
        by_path.setdefault(r.path, []).append(json.loads(r.body))
    assert sorted(p["data"]["userId"] or p["type"] for p in by_path["/root"]) == sorted(
        [
            to_global_id("User", org.north_user.id),
            to_global_id("User", org.south_user.id),
            "administrator.blocked",
        ]
    )
    (only,) = by_path["/sub"]
    assert only["data"]["userId"] == to_global_id("User", org.north_user.id)
    verified(sub_secret, next(r for r in receiver.received if r.path == "/sub"))


async def test_an_endpoint_is_switched_off_after_deliveries_in_a_row_failed(
    make: Callable[..., Services], org: Organisation, receiver: Receiver
) -> None:
    strict = {"webhook_max_attempts": 1, "webhook_switch_off_after": 2}
    endpoint, _ = await register(make(), org.root, receiver.url())
    await reset(make(), org.root, org.north_user, org.south_user)
    receiver.script = [500, 503]

    await make(**strict).webhook_dispatch.dispatch_due()

    off = await make().webhooks.get_endpoint(org.root, endpoint.id)
    assert off is not None
    assert not off.active
    assert off.disabled_at is not None
    assert off.consecutive_failures == 2
    (switched_off,) = (
        await make().audit.audit_events(
            org.root,
            PageRequest(first=5),
            None,
            AuditFilter(frozenset({"WEBHOOK_ENDPOINT_SWITCHED_OFF"})),
        )
    ).items
    assert switched_off.details == {
        "webhook_endpoint_id": endpoint.id,
        "url": endpoint.url,
        "failures": 2,
    }
    await reset(make(), org.root, org.north_user)
    statuses = [d.status for d in await make().webhooks.deliveries(org.root, endpoint, 10)]
    assert statuses == [WebhookDeliveryStatus.FAILED] * 2  # nothing new queued

    # A ping still goes (to check the receiver); switching it on again counts afresh.
    await make().webhooks.ping(org.root, endpoint.id)
    await make(**strict).webhook_dispatch.dispatch_due()
    (ping, *_) = await make().webhooks.deliveries(org.root, endpoint, 10)
    assert (ping.event_type, ping.status) == (
        WebhookEventType.PING, WebhookDeliveryStatus.DELIVERED,
    )  # fmt: skip
    back = await make().webhooks.set_active(org.root, endpoint.id, True)
    assert back.active
    assert back.consecutive_failures == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.1/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://169.254.169.254/latest",
        "https://localhost/hook",
        "http://partner.example/hook",
    ],
)
async def test_a_private_or_loopback_url_is_refused_without_the_switch(
    make: Callable[..., Services], org: Organisation, url: str
) -> None:
    with pytest.raises(DomainError) as refused:
        await register(make(webhooks_allow_private=False), org.root, url)
    assert [(p.code, p.field) for p in refused.value.problems] == [
        ("WEBHOOK_URL_NOT_ALLOWED", ("url",))
    ]


async def test_the_sender_refuses_a_name_that_resolves_to_loopback(receiver: Receiver) -> None:
    sender = HttpWebhookSender(timeout_seconds=2, allow_private=False)
    reply = await sender.post(WebhookPost(f"https://localhost:{receiver.port}/hook", {}, b"{}"))
    assert reply.status_code is None
    assert "not allowed" in (reply.error or "")
    assert receiver.received == []

"""Webhook deliveries across process lifetimes: a real ``connect-admin dispatch-mail``
killed (SIGKILL) while its request is in flight, and a second one that delivers what
the first left claimed, once the claim ran out; SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool
from standardwebhooks import Webhook

from domain.model import Administrator, Location, User
from domain.services.auth import admin_principal
from domain.services.reset import ResetOption
from domain.webhook_model import WebhookEventType
from persistence.database import create_engine
from persistence.migrate import upgrade
from persistence.tables import webhook_deliveries
from server.container import services_factory
from server.settings import Settings
from tests.cli.serving import connect_admin_process
from tests.cli.test_mail_processes import DISPATCHING, database_environment
from tests.mail_outbox import SECRET_KEY, eventually
from tests.webhook_receiver import HANG, Receiver, running_receiver

# Long enough that the first dispatcher is killed before its attempt times out; the
# claim more than twice that, as the settings require.
TIMEOUT_SECONDS, CLAIM_SECONDS = 2.0, 5.0


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with running_receiver() as running:
        yield running


@pytest.fixture
def shared_database(
    database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> tuple[str, AsyncEngine]:
    """A database the dispatcher processes share with the test: on SQLite a file of the
    test's own, on PostgreSQL the session's database, emptied."""
    if not database_url.startswith("sqlite"):
        engine: AsyncEngine = request.getfixturevalue("clean_database")
        return database_url, engine
    url = f"sqlite:///{tmp_path / 'connect-admin.db'}"
    upgrade(url)
    return url, create_engine(url, poolclass=NullPool)


async def deliveries(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as connection:
        return list((await connection.execute(select(webhook_deliveries))).all())


async def test_a_delivery_in_flight_when_its_dispatcher_is_killed_is_delivered_again(
    shared_database: tuple[str, AsyncEngine], receiver: Receiver
) -> None:
    database_url, engine = shared_database
    settings = Settings(  # type: ignore[call-arg]
        database_url=database_url, secret_key=SECRET_KEY, webhooks_allow_private=True
    )
    services = services_factory(engine, settings)
    async with services().uow as uow:
        location = await uow.locations.add(Location(name="HQ"))
        user = await uow.users.add(User(login="anna", last_name="A", location_id=location.id))
        root = await uow.administrators.add(
            Administrator(login="root", last_name="Root", password_hash="$argon2id$x")
        )
        await uow.commit()
    actor = admin_principal(root)
    _, secret = await services().webhooks.create_endpoint(
        actor, receiver.url(), [WebhookEventType.USER_RESET]
    )
    await services().reset.reset_users(actor, [("anna", user.id)], [ResetOption.RELATIONSHIPS])
    receiver.script = [HANG]
    env = database_environment(
        database_url,
        CONNECT_SECRET_KEY=SECRET_KEY,
        CONNECT_WEBHOOKS_ALLOW_PRIVATE="true",
        CONNECT_WEBHOOK_TIMEOUT_SECONDS=str(TIMEOUT_SECONDS),
        CONNECT_WEBHOOK_CLAIM_SECONDS=str(CLAIM_SECONDS),
        CONNECT_MAIL_POLL_SECONDS="0.05",
    )

    with connect_admin_process(["dispatch-mail"], env, DISPATCHING) as first:
        await receiver.wait_for(1)
        first.proc.send_signal(signal.SIGKILL)
        assert await asyncio.to_thread(first.proc.wait, 30) == -signal.SIGKILL
    (left,) = await deliveries(engine)
    assert (left.status, left.attempts) == ("PENDING", 0)
    assert left.claimed_until is not None

    with connect_admin_process(["dispatch-mail"], env, DISPATCHING) as second:
        first_try, again = await receiver.wait_for(2, within=CLAIM_SECONDS + 30)

        async def delivered() -> bool:
            return [row.status for row in await deliveries(engine)] == ["DELIVERED"]

        await eventually(delivered, "the delivery recorded DELIVERED")
        second.proc.send_signal(signal.SIGINT)
        assert await asyncio.to_thread(second.proc.wait, 30) == 0

    assert again.headers["webhook-id"] == first_try.headers["webhook-id"]
    assert Webhook(secret).verify(again.body, again.headers)["type"] == "user.reset"
    (done,) = await deliveries(engine)
    assert (done.attempts, done.last_status_code) == (1, 204)
    assert len(receiver.received) == 2

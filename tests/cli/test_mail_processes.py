"""Mail across process lifetimes: real server and dispatcher processes, a real SMTP
server; SQLite, and PostgreSQL where the test takes the ``database_url`` backends."""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

from domain.model import SmtpSecurity
from domain.principals import SYSTEM
from domain.services import locations, users
from domain.services.mail import GatewayInput
from domain.services.reset import ResetOption
from persistence.database import create_engine
from persistence.migrate import upgrade
from server.container import build_services, services_factory
from server.settings import Settings
from tests.cli.serving import STARTED, connect_admin_process, free_port
from tests.mail_outbox import (
    all_sent,
    arrivals,
    assert_each_sent_once,
    claimed_until,
    eventually,
    mail_environment,
    mail_sent_events,
    mail_settings,
    outbox_rows,
    queue_password_mails,
)
from tests.smtp_server import SmtpServer

DISPATCHING = "dispatching mail"


def environment(db: Path, **extra: str) -> dict[str, str]:
    return database_environment(f"sqlite:///{db}", **extra)


def database_environment(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}
    env["CONNECT_DATABASE_URL"] = database_url
    env.update(extra)
    return env


def queue_password_mail(db: Path, smtp: SmtpServer) -> None:
    """A location, a user with an address, the gateway, and a password reset: one mail queued."""

    async def setup() -> None:
        url = f"sqlite:///{db}"
        engine = create_engine(url)
        try:
            services = build_services(engine, Settings(database_url=url))  # type: ignore[call-arg]
            await services.mail.configure_gateway(
                SYSTEM,
                GatewayInput(host=smtp.host, port=smtp.port, security=SmtpSecurity.NONE,
                             sender_address="connect@example.org"),
            )  # fmt: skip
            loc = await services.locations.create_location(SYSTEM, locations.NewLocation(name="HQ"))
            anna = await services.users.create_user(
                SYSTEM,
                users.NewUser(login="anna", last_name="A", location_id=loc.id,
                              email="anna@example.org"),
            )  # fmt: skip
            await services.reset.reset_users(SYSTEM, [("a", anna.id)], [ResetOption.PASSWORD])
        finally:
            await engine.dispose()

    upgrade(f"sqlite:///{db}")
    asyncio.run(setup())


def test_dispatch_mail_sends_the_queue_and_stops_on_sigint(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    db = tmp_path / "connect-admin.db"
    queue_password_mail(db, smtp_server)

    with connect_admin_process(["dispatch-mail"], environment(db), DISPATCHING) as dispatcher:
        [received] = smtp_server.wait_for(1)
        dispatcher.proc.send_signal(signal.SIGINT)
        assert dispatcher.proc.wait(30) == 0

    assert received.rcpt_tos == ["anna@example.org"]


def test_mail_queued_before_a_kill_is_sent_after_the_restart(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    db = tmp_path / "connect-admin.db"
    port = free_port()
    serve = ["serve", "--port", str(port)]
    queue_password_mail(db, smtp_server)

    # The first server does not dispatch; it dies hard with the mail still queued.
    with connect_admin_process(
        serve, environment(db, CONNECT_MAIL_DISPATCHER="false"), STARTED
    ) as first:
        response = httpx.post(
            f"http://127.0.0.1:{port}/graphql", json={"query": "{ __typename }"}, timeout=30
        )
        assert response.status_code == 200
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(30)
    assert smtp_server.received == []

    with connect_admin_process(serve, environment(db), STARTED):
        [received] = smtp_server.wait_for(1)
    assert received.rcpt_tos == ["anna@example.org"]


@pytest.fixture
def shared_database(
    database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> tuple[str, AsyncEngine]:
    """A database this test shares with its processes, and an engine on it. On
    SQLite a file of its own: the session's is read as a file by other tests, and a
    process that closes any descriptor of a file loses its SQLite locks on it, so a
    second process could take the write-ahead log away under this one. On
    PostgreSQL the session's database, emptied."""
    if not database_url.startswith("sqlite"):
        engine: AsyncEngine = request.getfixturevalue("clean_database")
        return database_url, engine
    url = f"sqlite:///{tmp_path / 'connect-admin.db'}"
    upgrade(url)
    # No pool: nothing to dispose of, no connection outlives the test's statements.
    return url, create_engine(url, poolclass=NullPool)


async def test_two_dispatcher_processes_behind_a_server_slower_than_the_claim_send_once(
    shared_database: tuple[str, AsyncEngine], smtp_server: SmtpServer
) -> None:
    """The reported case: two dispatchers, an SMTP server that takes longer to answer
    than a claim lasts. The first keeps its claim while it waits; nothing goes twice."""
    database_url, clean_database = shared_database
    count = 10
    await queue_password_mails(
        services_factory(clean_database, mail_settings(database_url))(), smtp_server, count
    )
    smtp_server.hold()
    env = database_environment(database_url, **mail_environment(database_url))
    with ExitStack() as running:
        dispatchers = [
            running.enter_context(connect_admin_process(["dispatch-mail"], env, DISPATCHING))
            for _ in range(2)
        ]
        await asyncio.to_thread(smtp_server.wait_held, 1)
        held = str(smtp_server.received[0].message["Message-ID"])
        first_claim_ends = await claimed_until(clean_database, held)
        claim = timedelta(seconds=float(env["CONNECT_MAIL_CLAIM_SECONDS"]))

        async def renewed_late() -> bool:
            renewed = await claimed_until(clean_database, held)
            return renewed > first_claim_ends + claim + timedelta(seconds=0.5)

        await eventually(renewed_late, "the claim on the held message renewed after it ran out")
        smtp_server.release()
        await eventually(lambda: all_sent(clean_database), f"{count} mails sent")
        for dispatcher in dispatchers:
            dispatcher.proc.send_signal(signal.SIGINT)
        assert [await asyncio.to_thread(d.proc.wait, 30) for d in dispatchers] == [0, 0]

    await assert_each_sent_once(clean_database, smtp_server, count)


async def test_a_killed_dispatcher_sends_again_only_the_message_in_flight(
    shared_database: tuple[str, AsyncEngine], smtp_server: SmtpServer
) -> None:
    """Killed (SIGKILL) after the server accepted 11 messages and while it holds the
    reply to the 12th: after the restart the 12th arrives a second time (the duplicate
    window, same Message-ID), every other message exactly once."""
    database_url, clean_database = shared_database
    count, accepted = 50, 11
    await queue_password_mails(
        services_factory(clean_database, mail_settings(database_url))(), smtp_server, count
    )
    smtp_server.hold(after=accepted)
    env = database_environment(database_url, **mail_environment(database_url))

    with connect_admin_process(["dispatch-mail"], env, DISPATCHING) as first:
        await asyncio.to_thread(smtp_server.wait_held, 1)
        # Each accepted message was recorded before the next one was sent.
        rows = await outbox_rows(clean_database)
        sent = {mid for mid, row in rows.items() if row.status == "SENT"}
        in_flight = str(smtp_server.received[accepted].message["Message-ID"])
        assert sent == {str(r.message["Message-ID"]) for r in smtp_server.received[:accepted]}
        assert rows[in_flight].secret_ciphertext is not None
        assert all(rows[mid].secret_ciphertext is None for mid in sent)
        first.proc.send_signal(signal.SIGKILL)
        await asyncio.to_thread(first.proc.wait, 30)
    smtp_server.release()

    with connect_admin_process(["dispatch-mail"], env, DISPATCHING) as second:
        await eventually(lambda: all_sent(clean_database), f"{count} mails sent after the restart")
        second.proc.send_signal(signal.SIGINT)
        assert await asyncio.to_thread(second.proc.wait, 30) == 0

    rows = await outbox_rows(clean_database)
    assert arrivals(smtp_server) == Counter({mid: 2 if mid == in_flight else 1 for mid in rows})
    assert await mail_sent_events(clean_database) == Counter(dict.fromkeys(rows, 1))
    assert {(row.status, row.secret_ciphertext) for row in rows.values()} == {("SENT", None)}

"""Two dispatchers on one database behind an SMTP server slower than their claim.

Real dispatchers (``run_dispatcher`` with the server's wiring) on SQLite and
PostgreSQL, a real SMTP server on 127.0.0.1 that holds its reply to a message
until the test releases it.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from server.container import services_factory
from server.dispatcher import run_dispatcher
from tests.mail_outbox import (
    CLAIM_SECONDS,
    POLL_SECONDS,
    all_sent,
    assert_each_sent_once,
    claimed_until,
    eventually,
    mail_settings,
    queue_password_mails,
)
from tests.smtp_server import SmtpServer

MAILS = 10
CLAIM = timedelta(seconds=CLAIM_SECONDS)
# How long past its first claim the held message must be kept: the other
# dispatcher polls many times meanwhile.
OVERTIME = timedelta(seconds=0.5)


async def test_two_dispatchers_behind_a_server_slower_than_the_claim_send_each_message_once(
    database_url: str, clean_database: AsyncEngine, smtp_server: SmtpServer
) -> None:
    make_services = services_factory(clean_database, mail_settings(database_url))
    await queue_password_mails(make_services(), smtp_server, MAILS)
    smtp_server.hold()
    stop = asyncio.Event()
    dispatchers = [
        asyncio.create_task(run_dispatcher(make_services, stop, poll_seconds=POLL_SECONDS))
        for _ in range(2)
    ]
    try:
        await asyncio.to_thread(smtp_server.wait_held, 1)
        held = str(smtp_server.received[0].message["Message-ID"])
        first_claim_ends = await claimed_until(clean_database, held)

        # Renewed after its first claim ended: a claim of CLAIM_SECONDS would have run out.
        async def renewed_late() -> bool:
            renewed = await claimed_until(clean_database, held)
            return renewed > first_claim_ends + CLAIM + OVERTIME

        await eventually(renewed_late, "the claim on the held message renewed after it ran out")
        smtp_server.release()
        await eventually(lambda: all_sent(clean_database), f"{MAILS} mails sent")
    finally:
        smtp_server.release()
        stop.set()
        await asyncio.gather(*dispatchers)

    await assert_each_sent_once(clean_database, smtp_server, MAILS)

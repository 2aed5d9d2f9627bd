"""The outbox as the dispatcher tests see it: password mails queued through the real
outbox, the rows and MAIL_SENT events read back, and a bounded wait on a condition.

The dispatchers under test run in this process or in others; every check reads the
database (never a dispatcher's memory), so both kinds are judged alike.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.model import Location, MailKind, MailStatus, User
from domain.principals import SYSTEM
from domain.services.mail import GatewayInput
from domain.services.outbox import queue_mail
from domain.services.registry import Services
from persistence.tables import audit_events, outbox
from server.settings import Settings
from tests.smtp_server import SmtpServer

# The key of every process of a test, so each can read the others' secrets.
SECRET_KEY = Fernet.generate_key().decode()
# Short, so a held message outlives its first claim within seconds; renewed every third.
CLAIM_SECONDS = 2.0
POLL_SECONDS = 0.05


def mail_settings(database_url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        database_url=database_url,
        secret_key=SECRET_KEY,
        mail_claim_seconds=CLAIM_SECONDS,
        mail_poll_seconds=POLL_SECONDS,
    )


def mail_environment(database_url: str) -> dict[str, str]:
    """The same settings for a ``connect-admin`` process."""
    return {
        "CONNECT_DATABASE_URL": database_url,
        "CONNECT_SECRET_KEY": SECRET_KEY,
        "CONNECT_MAIL_CLAIM_SECONDS": str(CLAIM_SECONDS),
        "CONNECT_MAIL_POLL_SECONDS": str(POLL_SECONDS),
    }


async def queue_password_mails(services: Services, smtp: SmtpServer, count: int) -> None:
    """The gateway pointing at ``smtp``, and ``count`` users with a password mail queued."""
    await services.mail.configure_gateway(
        SYSTEM,
        GatewayInput(host=smtp.host, port=smtp.port, security=smtp.security,
                     sender_address="connect@example.org"),
    )  # fmt: skip
    async with services.uow as uow:
        gateway = await uow.email_gateway.get()
        assert gateway is not None
        location = await uow.locations.add(Location(name="HQ"))
        for n in range(count):
            user = await uow.users.add(
                User(login=f"user{n}", last_name=f"L{n}", location_id=location.id,
                     email=f"user{n}@example.org")
            )  # fmt: skip
            await queue_mail(
                services.clock,
                services.secrets,
                uow,
                gateway,
                MailKind.PASSWORD,
                user,
                secret=f"Secret-{n}",
                expires_hours=72,
            )
        await uow.commit()


async def outbox_rows(engine: AsyncEngine) -> dict[str, Any]:
    """Message-ID → its outbox row."""
    async with engine.connect() as connection:
        rows = (await connection.execute(select(outbox))).all()
    return {row.message_id: row for row in rows}


async def claimed_until(engine: AsyncEngine, message_id: str) -> datetime:
    claimed = (await outbox_rows(engine))[message_id].claimed_until
    assert isinstance(claimed, datetime)
    return claimed


async def all_sent(engine: AsyncEngine) -> bool:
    return {row.status for row in (await outbox_rows(engine)).values()} == {MailStatus.SENT.name}


async def mail_sent_events(engine: AsyncEngine) -> Counter[str]:
    """How often MAIL_SENT was audited for each Message-ID."""
    async with engine.connect() as connection:
        details = (
            await connection.execute(
                select(audit_events.c.details).where(audit_events.c.action == "MAIL_SENT")
            )
        ).scalars()
        return Counter(str(detail["message_id"]) for detail in details)


def arrivals(smtp: SmtpServer) -> Counter[str]:
    """How often the SMTP server received each Message-ID."""
    return Counter(str(received.message["Message-ID"]) for received in smtp.received)


async def eventually(check: Callable[[], Awaitable[bool]], what: str, within: float = 60.0) -> None:
    """Polls ``check`` until it holds; fails after ``within`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"not within {within} s: {what}")
        await asyncio.sleep(0.02)


async def assert_each_sent_once(engine: AsyncEngine, smtp: SmtpServer, count: int) -> None:
    """Every queued message arrived once, is stored SENT after one attempt with its
    secret erased, and was audited MAIL_SENT once."""
    rows = await outbox_rows(engine)
    assert len(rows) == count
    assert arrivals(smtp) == Counter(dict.fromkeys(rows, 1))
    assert {(row.status, row.attempts, row.secret_ciphertext) for row in rows.values()} == {
        (MailStatus.SENT.name, 1, None)
    }
    assert await mail_sent_events(engine) == Counter(dict.fromkeys(rows, 1))

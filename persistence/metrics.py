"""Figures for operators, read at scrape time: the outbox by status, the oldest due mail,
the sign-in lockouts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.model import MailStatus, SessionSubject
from persistence.database import read_only
from persistence.tables import outbox, sign_in_lockouts


@dataclass(frozen=True)
class OutboxFigures:
    by_status: dict[str, int]
    # When the oldest pending message became due; None when nothing is due.
    oldest_due_at: datetime | None


async def outbox_figures(engine: AsyncEngine, now: datetime) -> OutboxFigures:
    """Two aggregate reads, no row of the outbox itself."""
    async with read_only(engine) as connection:
        counts = await connection.execute(
            select(outbox.c.status, func.count()).group_by(outbox.c.status)
        )
        by_status = {status.value: 0 for status in MailStatus}
        by_status.update({status: count for status, count in counts})
        oldest = await connection.scalar(
            select(func.min(outbox.c.next_attempt_at)).where(
                outbox.c.status == MailStatus.PENDING.value, outbox.c.next_attempt_at <= now
            )
        )
    return OutboxFigures(by_status=by_status, oldest_due_at=oldest)


@dataclass(frozen=True)
class LockoutFigures:
    # Logins locked now for a client address, by account kind (ADMINISTRATOR, USER).
    active: dict[str, int]
    # Lockouts that began within the last day.
    last_day: int


async def lockout_figures(engine: AsyncEngine, now: datetime) -> LockoutFigures:
    since = now - timedelta(days=1)
    active = {subject.value: 0 for subject in SessionSubject}
    last_day = 0
    async with read_only(engine) as connection:
        rows = await connection.execute(
            select(
                sign_in_lockouts.c.key, sign_in_lockouts.c.until, sign_in_lockouts.c.locked_at
            ).where((sign_in_lockouts.c.until > now) | (sign_in_lockouts.c.locked_at >= since))
        )
        for key, until, locked_at in rows:
            kind = key.partition(":")[0]
            if until > now and kind in active:
                active[kind] += 1
            last_day += locked_at >= since
    return LockoutFigures(active=active, last_day=last_day)

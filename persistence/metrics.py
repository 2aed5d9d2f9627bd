"""Figures for operators, read at scrape time: the outbox by status, the oldest due mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.model import MailStatus
from persistence.database import read_only
from persistence.tables import outbox


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

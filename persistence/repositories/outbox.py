"""The outbox: mails waiting to be sent, claimed by one sender at a time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, update

from domain.model import (
    MailKind,
    MailStatus,
    OutgoingMail,
)
from persistence.repositories._base import Executor, distinct_ids, from_row, row_values
from persistence.tables import outbox


def _mail_values(mail: OutgoingMail) -> dict[str, Any]:
    return row_values(
        mail, outbox, kind=mail.kind.name, context=dict(mail.context), status=mail.status.name
    )


def _mail(row: Row[Any]) -> OutgoingMail:
    return from_row(
        OutgoingMail,
        row,
        kind=MailKind[row.kind],
        context=dict(row.context or {}),
        status=MailStatus[row.status],
    )


# What a delivery's state shows: not the secret, not the claim.
_DELIVERY_COLUMNS = [
    c for c in outbox.c if c.name not in {"secret_ciphertext", "claim_token", "claimed_until"}
]


def _held(token: str) -> tuple[Any, ...]:
    """Rows still pending under the claim ``token``: a dispatcher whose claim ran
    out and was taken over by another finds none of them."""
    return (outbox.c.claim_token == token, outbox.c.status == MailStatus.PENDING.name)


class SqlOutboxRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def add(self, mail: OutgoingMail) -> OutgoingMail:
        mail.id = await self._ex.insert_id(outbox, _mail_values(mail))
        return mail

    async def add_many(self, mails: Sequence[OutgoingMail]) -> None:
        await self._ex.insert_many(outbox, [_mail_values(m) for m in mails])

    async def get(self, mail_id: int) -> OutgoingMail | None:
        return await self._ex.first(select(outbox).where(outbox.c.id == mail_id), _mail)

    async def latest_to(
        self, user_ids: Sequence[int], per_user: int
    ) -> dict[int, list[OutgoingMail]]:
        wanted = distinct_ids(user_ids)
        if not wanted or per_user <= 0:
            return {}
        newest = func.row_number().over(
            partition_by=outbox.c.target_user_id, order_by=outbox.c.id.desc()
        )
        numbered = (
            select(*_DELIVERY_COLUMNS, newest.label("newest"))
            .where(outbox.c.target_user_id.in_(wanted))
            .subquery()
        )
        statement = (
            select(*(numbered.c[c.name] for c in _DELIVERY_COLUMNS))
            .where(numbered.c.newest <= per_user)
            .order_by(numbered.c.target_user_id, numbered.c.id.desc())
        )
        found: dict[int, list[OutgoingMail]] = {}
        for row in await self._ex.execute(statement):
            found.setdefault(row.target_user_id, []).append(_mail(row))
        return found

    async def update(self, mail: OutgoingMail) -> None:
        await self._ex.execute(
            update(outbox).where(outbox.c.id == mail.id).values(_mail_values(mail))
        )

    async def renew_claim(self, token: str, ids: Iterable[int], claim_until: datetime) -> set[int]:
        wanted = list(ids)
        if not wanted:
            return set()
        result = await self._ex.execute(
            update(outbox)
            .where(outbox.c.id.in_(wanted), *_held(token))
            .values(claimed_until=claim_until)
            .returning(outbox.c.id)
        )
        return set(result.scalars())

    async def record_attempt(self, mail: OutgoingMail, *, token: str) -> bool:
        result = await self._ex.execute(
            update(outbox)
            .where(outbox.c.id == mail.id, *_held(token))
            .values(_mail_values(mail))
            .returning(outbox.c.id)
        )
        return result.first() is not None

    async def release_claim(self, token: str, ids: Iterable[int]) -> None:
        wanted = list(ids)
        if wanted:
            await self._ex.execute(
                update(outbox)
                .where(outbox.c.id.in_(wanted), *_held(token))
                .values(claimed_until=None, claim_token=None)
            )

    async def claim_due(
        self, now: datetime, claim_until: datetime, limit: int, *, token: str
    ) -> list[OutgoingMail]:
        """Pending messages due at ``now`` and not claimed (``claimed_until`` unset or
        past), oldest first, at most ``limit``; stored and returned with
        ``claimed_until`` and ``claim_token`` set.

        PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` then ``UPDATE`` in the same
        transaction; rows another dispatcher is claiming are locked and skipped,
        and one it claimed and committed no longer matches. SQLite has no row
        locks: the claim is one ``UPDATE … WHERE id IN (SELECT … LIMIT) RETURNING``,
        so it takes the database's write lock before it reads, and a second
        dispatcher's claim runs only after the first one's transaction ended.
        """
        if limit <= 0:
            return []
        due = (
            outbox.c.status == MailStatus.PENDING.name,
            outbox.c.next_attempt_at <= now,
            (outbox.c.claimed_until.is_(None)) | (outbox.c.claimed_until < now),
        )
        order = (outbox.c.next_attempt_at, outbox.c.id)
        if self._ex.dialect_name == "postgresql":
            stmt = (
                select(outbox)
                .where(*due)
                .order_by(*order)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            claimed = [_mail(row) for row in await self._ex.execute(stmt)]
            if claimed:
                await self._ex.execute(
                    update(outbox)
                    .where(outbox.c.id.in_([mail.id for mail in claimed]))
                    .values(claimed_until=claim_until, claim_token=token)
                )
            for mail in claimed:
                mail.claimed_until = claim_until
                mail.claim_token = token
            return claimed
        chosen = select(outbox.c.id).where(*due).order_by(*order).limit(limit)
        result = await self._ex.execute(
            update(outbox)
            .where(outbox.c.id.in_(chosen))
            .values(claimed_until=claim_until, claim_token=token)
            .returning(*outbox.c)
        )
        # RETURNING gives no particular order.
        return sorted((_mail(row) for row in result), key=lambda m: (m.next_attempt_at, m.id))

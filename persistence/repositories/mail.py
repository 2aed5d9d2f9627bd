"""The E-Mail Gateway and the outbox."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Executable, Row, bindparam, select, update

from domain.model import (
    EmailGateway,
    MailKind,
    MailStatus,
    OutgoingMail,
    SmtpSecurity,
)
from persistence.repositories._base import Executor, from_row, row_values
from persistence.tables import email_gateway, outbox
from persistence.upsert import upsert_into

G = email_gateway.c
M = outbox.c

# The id of the one gateway row (a CHECK constraint allows no other).
GATEWAY_ID = 1
_GET_GATEWAY = select(email_gateway).where(G.id == GATEWAY_ID)


def _gateway(row: Row[Any]) -> EmailGateway:
    return EmailGateway(
        host=row.host,
        port=row.port,
        security=SmtpSecurity[row.security],
        sender_address=row.sender_address,
        sender_name=row.sender_name,
        username=row.username,
        password_ciphertext=row.password_ciphertext,
    )


class SqlEmailGatewayRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def get(self) -> EmailGateway | None:
        return await self._ex.first(_GET_GATEWAY, _gateway)

    async def save(self, gateway: EmailGateway) -> None:
        """Creates the gateway or replaces every field of it."""
        values = row_values(gateway, email_gateway, security=gateway.security.name)
        statement = _save_gateway(self._ex.dialect_name, tuple(values))
        await self._ex.execute(statement, values)


@functools.cache
def _save_gateway(dialect_name: str, columns: tuple[str, ...]) -> Executable:
    """The upsert of the gateway row, built once: building it (its ``excluded``
    columns) and its cache key cost more than running it."""
    insert_ = upsert_into(dialect_name, email_gateway).values(
        id=GATEWAY_ID, **{name: bindparam(name) for name in columns}
    )
    return insert_.on_conflict_do_update(
        index_elements=[G.id], set_={name: insert_.excluded[name] for name in columns}
    )


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


def _held(token: str) -> tuple[Any, ...]:
    """Rows still pending under the claim ``token``: a dispatcher whose claim ran
    out and was taken over by another finds none of them."""
    return (M.claim_token == token, M.status == MailStatus.PENDING.name)


class SqlOutboxRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def add(self, mail: OutgoingMail) -> OutgoingMail:
        mail.id = await self._ex.insert_id(outbox, _mail_values(mail))
        return mail

    async def add_many(self, mails: Sequence[OutgoingMail]) -> None:
        await self._ex.insert_many(outbox, [_mail_values(m) for m in mails])

    async def get(self, mail_id: int) -> OutgoingMail | None:
        return await self._ex.first(select(outbox).where(M.id == mail_id), _mail)

    async def update(self, mail: OutgoingMail) -> None:
        await self._ex.execute(update(outbox).where(M.id == mail.id).values(_mail_values(mail)))

    async def renew_claim(self, token: str, ids: Iterable[int], claim_until: datetime) -> set[int]:
        wanted = list(ids)
        if not wanted:
            return set()
        result = await self._ex.execute(
            update(outbox)
            .where(M.id.in_(wanted), *_held(token))
            .values(claimed_until=claim_until)
            .returning(M.id)
        )
        return set(result.scalars())

    async def record_attempt(self, mail: OutgoingMail, *, token: str) -> bool:
        result = await self._ex.execute(
            update(outbox)
            .where(M.id == mail.id, *_held(token))
            .values(_mail_values(mail))
            .returning(M.id)
        )
        return result.first() is not None

    async def release_claim(self, token: str, ids: Iterable[int]) -> None:
        wanted = list(ids)
        if wanted:
            await self._ex.execute(
                update(outbox)
                .where(M.id.in_(wanted), *_held(token))
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
            M.status == MailStatus.PENDING.name,
            M.next_attempt_at <= now,
            (M.claimed_until.is_(None)) | (M.claimed_until < now),
        )
        order = (M.next_attempt_at, M.id)
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
                    .where(M.id.in_([mail.id for mail in claimed]))
                    .values(claimed_until=claim_until, claim_token=token)
                )
            for mail in claimed:
                mail.claimed_until = claim_until
                mail.claim_token = token
            return claimed
        chosen = select(M.id).where(*due).order_by(*order).limit(limit)
        result = await self._ex.execute(
            update(outbox)
            .where(M.id.in_(chosen))
            .values(claimed_until=claim_until, claim_token=token)
            .returning(*outbox.c)
        )
        # RETURNING gives no particular order.
        return sorted((_mail(row) for row in result), key=lambda m: (m.next_attempt_at, m.id))

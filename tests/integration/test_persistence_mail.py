"""The E-Mail Gateway, the outbox and its claim, and the users' credential fields.

The claim scenarios run on the SQL unit of work of each backend and on the
fake one, so the fake the service tests use keeps the same promises.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from domain.model import (
    EmailGateway,
    Location,
    MailKind,
    MailStatus,
    OutgoingMail,
    SmtpSecurity,
    User,
)
from domain.ports import UnitOfWork
from persistence.unit_of_work import SqlAlchemyUnitOfWork
from tests.fakes import FakeUnitOfWork

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from tests.integration.conftest import Factory

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)

_message_ids = itertools.count(1)


def _mail(at: datetime = NOW, **kw: object) -> OutgoingMail:
    values: dict[str, object] = {
        "kind": MailKind.PASSWORD,
        "recipient": "jane@example.com",
        "message_id": f"<{next(_message_ids)}.test@connect-admin>",
        "created_at": at,
        "next_attempt_at": at,
    }
    values.update(kw)
    return OutgoingMail(**values)  # type: ignore[arg-type]


@pytest.fixture(params=["sql", "fake"])
def any_uow(request: pytest.FixtureRequest, database_url: str) -> UnitOfWork:
    """The SQL unit of work of the backend, or the fake (which ignores the backend)."""
    if request.param == "fake":
        return FakeUnitOfWork()
    uow: SqlAlchemyUnitOfWork = request.getfixturevalue("uow")
    return uow


def _dialect(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


async def _add(uow: UnitOfWork, *mails: OutgoingMail) -> list[int]:
    async with uow:
        for mail in mails:
            await uow.outbox.add(mail)
        await uow.commit()
    return [mail.id for mail in mails]


async def _claim(
    uow: UnitOfWork,
    now: datetime = NOW,
    limit: int = 10,
    lease: timedelta = LEASE,
    token: str = "test",
) -> list[int]:
    async with uow:
        claimed = await uow.outbox.claim_due(now, now + lease, limit, token=token)
        await uow.commit()
    assert all(mail.claimed_until == now + lease for mail in claimed)
    assert all(mail.claim_token == token for mail in claimed)
    return [mail.id for mail in claimed]


# ---- the gateway ----


async def test_no_gateway_until_saved(any_uow: UnitOfWork) -> None:
    async with any_uow:
        assert await any_uow.email_gateway.get() is None


async def test_gateway_round_trip_and_overwrite(any_uow: UnitOfWork) -> None:
    first = EmailGateway(
        host="smtp.example.com",
        port=587,
        security=SmtpSecurity.STARTTLS,
        sender_address="noreply@example.com",
        sender_name="Connect Server",
        username="mailer",
        password_ciphertext="enc:terces",
    )
    async with any_uow:
        await any_uow.email_gateway.save(first)
        await any_uow.commit()
    async with any_uow:
        assert await any_uow.email_gateway.get() == first

    second = EmailGateway(
        host="mail.example.org", port=25, security=SmtpSecurity.NONE, sender_address="a@b.org"
    )
    async with any_uow:
        await any_uow.email_gateway.save(second)
        await any_uow.commit()
    async with any_uow:
        assert await any_uow.email_gateway.get() == second


async def test_the_gateway_is_one_row(uow: SqlAlchemyUnitOfWork) -> None:
    gateway = EmailGateway(
        host="h", port=465, security=SmtpSecurity.TLS, sender_address="s@example.com"
    )
    async with uow:
        await uow.email_gateway.save(gateway)
        await uow.email_gateway.save(gateway)
        await uow.commit()
    async with uow:
        count = (await uow.connection.execute(text("SELECT count(*) FROM email_gateway"))).scalar()
        assert count == 1
        with pytest.raises(IntegrityError):
            await uow.connection.execute(
                text(
                    "INSERT INTO email_gateway (id, host, port, security, sender_address)"
                    " VALUES (2, 'h', 25, 'NONE', 's@example.com')"
                )
            )


# ---- the outbox: storage ----


async def test_outbox_round_trip_and_update(any_uow: UnitOfWork) -> None:
    async with any_uow:
        location = await any_uow.locations.add(Location(name="Berlin"))
        user = await any_uow.users.add(User(login="jane", last_name="Doe", location_id=location.id))
        mail = _mail(
            kind=MailKind.VOICEMAIL_PIN,
            context={"login": "jane", "displayName": "Jane Doe", "n": 1.5, "tags": ["a", None]},
            secret_ciphertext="enc:4321",
            target_user_id=user.id,
        )
        added = await any_uow.outbox.add(mail)
        await any_uow.commit()
    assert added is mail
    assert mail.id > 0

    async with any_uow:
        found = await any_uow.outbox.get(mail.id)
        assert found == mail
        assert found is not None
        assert found.created_at.tzinfo is not None
        assert found.created_at.utcoffset() == timedelta(0)
        assert await any_uow.outbox.get(mail.id + 1000) is None

        later = NOW + timedelta(minutes=5)
        found.status = MailStatus.SENT
        found.attempts = 2
        found.secret_ciphertext = None
        found.claimed_until = later
        found.last_reply_code = 250
        found.last_error = "451 try again later"
        found.sent_at = later.astimezone(timezone(timedelta(hours=2)))
        found.next_attempt_at = later
        await any_uow.outbox.update(found)
        await any_uow.commit()

    async with any_uow:
        stored = await any_uow.outbox.get(mail.id)
    assert stored == found
    assert stored is not None
    assert stored.sent_at == later
    if isinstance(any_uow, SqlAlchemyUnitOfWork):
        assert stored.sent_at.utcoffset() == timedelta(0)


async def test_message_id_is_unique(uow: SqlAlchemyUnitOfWork) -> None:
    async with uow:
        await uow.outbox.add(_mail(message_id="<same@x>"))
        with pytest.raises(IntegrityError):
            await uow.outbox.add(_mail(message_id="<same@x>"))


async def test_deleting_the_user_keeps_the_mail(any_uow: UnitOfWork) -> None:
    async with any_uow:
        location = await any_uow.locations.add(Location(name="Berlin"))
        user = await any_uow.users.add(User(login="gone", last_name="G", location_id=location.id))
        mail = await any_uow.outbox.add(_mail(target_user_id=user.id))
        await any_uow.users.delete(user.id)
        await any_uow.commit()
    async with any_uow:
        found = await any_uow.outbox.get(mail.id)
    assert found is not None
    assert found.target_user_id is None


# ---- the outbox: claims ----


async def test_claim_takes_due_pending_unclaimed_mail_oldest_first(any_uow: UnitOfWork) -> None:
    newer, older, oldest_tie_a, oldest_tie_b = await _add(
        any_uow,
        _mail(NOW - timedelta(minutes=1)),
        _mail(NOW - timedelta(minutes=5)),
        _mail(NOW - timedelta(minutes=9)),
        _mail(NOW - timedelta(minutes=9)),
    )
    due_now = (await _add(any_uow, _mail(NOW)))[0]
    await _add(
        any_uow,
        _mail(NOW + timedelta(seconds=1)),  # not yet due
        _mail(NOW - timedelta(hours=1), status=MailStatus.SENT),
        _mail(NOW - timedelta(hours=1), status=MailStatus.FAILED),
        _mail(NOW - timedelta(hours=1), claimed_until=NOW + timedelta(seconds=30)),
        _mail(NOW - timedelta(hours=1), claimed_until=NOW),  # claimed up to now included
    )

    assert await _claim(any_uow) == [oldest_tie_a, oldest_tie_b, older, newer, due_now]


async def test_claim_respects_the_limit(any_uow: UnitOfWork) -> None:
    ids = await _add(any_uow, *(_mail(NOW - timedelta(minutes=10 - i)) for i in range(5)))

    assert await _claim(any_uow, limit=2) == ids[:2]
    assert await _claim(any_uow, limit=2) == ids[2:4]
    assert await _claim(any_uow, limit=0) == []
    assert await _claim(any_uow, limit=2) == ids[4:]


async def test_claimed_mail_is_stored_claimed_until_the_lease_ends(any_uow: UnitOfWork) -> None:
    ids = await _add(any_uow, _mail(NOW - timedelta(minutes=1)), _mail(NOW))

    assert await _claim(any_uow) == ids
    async with any_uow:
        stored = await any_uow.outbox.get(ids[0])
    assert stored is not None
    assert stored.claimed_until == NOW + LEASE
    assert stored.status is MailStatus.PENDING

    assert await _claim(any_uow) == []
    assert await _claim(any_uow, now=NOW + LEASE) == []
    assert await _claim(any_uow, now=NOW + LEASE + timedelta(microseconds=1)) == ids


async def test_a_claim_not_committed_is_no_claim(any_uow: UnitOfWork) -> None:
    ids = await _add(any_uow, _mail())
    async with any_uow:
        claimed = await any_uow.outbox.claim_due(NOW, NOW + LEASE, 10, token="test")
        assert [m.id for m in claimed] == ids

    assert await _claim(any_uow) == ids


async def test_an_updated_mail_with_a_later_attempt_waits(any_uow: UnitOfWork) -> None:
    (mail_id,) = await _add(any_uow, _mail())
    async with any_uow:
        (claimed,) = await any_uow.outbox.claim_due(NOW, NOW + LEASE, 10, token="test")
        claimed.attempts += 1
        claimed.claimed_until = None
        claimed.next_attempt_at = NOW + timedelta(seconds=10)
        await any_uow.outbox.update(claimed)
        await any_uow.commit()

    assert await _claim(any_uow, now=NOW + timedelta(seconds=9)) == []
    assert await _claim(any_uow, now=NOW + timedelta(seconds=10)) == [mail_id]


async def test_a_claim_is_renewed_recorded_and_released_only_under_its_token(
    any_uow: UnitOfWork,
) -> None:
    first, second, third = await _add(any_uow, _mail(), _mail(), _mail())
    assert await _claim(any_uow, token="mine") == [first, second, third]
    later = NOW + LEASE + timedelta(minutes=1)

    async with any_uow:
        assert await any_uow.outbox.renew_claim("other", [first, second], later) == set()
        assert await any_uow.outbox.renew_claim("mine", [first, second], later) == {first, second}
        mail = await any_uow.outbox.get(first)
        assert mail is not None
        sent = replace(
            mail, status=MailStatus.SENT, claimed_until=None, claim_token=None, sent_at=NOW
        )
        assert not await any_uow.outbox.record_attempt(sent, token="other")
        assert await any_uow.outbox.record_attempt(sent, token="mine")
        # Recorded: no longer held by anyone.
        assert await any_uow.outbox.renew_claim("mine", [first], later) == set()
        assert not await any_uow.outbox.record_attempt(sent, token="mine")
        await any_uow.outbox.release_claim("other", [second])
        await any_uow.outbox.release_claim("mine", [third])
        await any_uow.commit()

    async with any_uow:
        stored = {i: await any_uow.outbox.get(i) for i in (first, second, third)}
    assert {i: (m.status, m.claimed_until, m.claim_token) for i, m in stored.items() if m} == {
        first: (MailStatus.SENT, None, None),
        second: (MailStatus.PENDING, later, "mine"),
        third: (MailStatus.PENDING, None, None),
    }
    # Released: due again at once.
    assert await _claim(any_uow, token="next") == [third]


async def test_a_claim_taken_over_after_it_ran_out_fences_the_first_dispatcher(
    any_uow: UnitOfWork,
) -> None:
    (mail_id,) = await _add(any_uow, _mail())
    assert await _claim(any_uow, token="slow") == [mail_id]
    after = NOW + LEASE + timedelta(microseconds=1)
    assert await _claim(any_uow, now=after, token="fast") == [mail_id]

    async with any_uow:
        mail = await any_uow.outbox.get(mail_id)
        assert mail is not None
        assert await any_uow.outbox.renew_claim("slow", [mail_id], after + LEASE) == set()
        assert not await any_uow.outbox.record_attempt(
            replace(mail, status=MailStatus.SENT, claim_token=None), token="slow"
        )
        await any_uow.outbox.release_claim("slow", [mail_id])
        await any_uow.commit()
    async with any_uow:
        kept = await any_uow.outbox.get(mail_id)
    assert kept is not None
    assert (kept.status, kept.claimed_until, kept.claim_token) == (
        MailStatus.PENDING, after + LEASE, "fast",
    )  # fmt: skip


async def test_claim_statements_of_each_backend(
    uow: SqlAlchemyUnitOfWork, database_url: str, count_statements: Any
) -> None:
    """PostgreSQL locks the rows it picks; SQLite has no row locks, so there the
    claim is one UPDATE, which takes the write lock before it reads."""
    await _add(uow, _mail())
    with count_statements() as counter:
        async with uow:
            claimed = await uow.outbox.claim_due(NOW, NOW + LEASE, 10, token="test")
    assert len(claimed) == 1
    first = counter.statements[0].lstrip().upper()
    if _dialect(database_url) == "sqlite":
        assert len(counter.statements) == 1
        assert first.startswith("UPDATE")
        assert "RETURNING" in first
    else:
        assert first.startswith("SELECT")
        assert "FOR UPDATE SKIP LOCKED" in first
        assert counter.statements[1].lstrip().upper().startswith("UPDATE")


async def test_concurrent_claims_on_postgresql_never_share_a_message(
    clean_database: AsyncEngine, database_url: str
) -> None:
    if _dialect(database_url) != "postgresql":
        pytest.skip("row locks (FOR UPDATE SKIP LOCKED) exist on PostgreSQL only")
    ids = await _add(
        SqlAlchemyUnitOfWork(clean_database),
        *(_mail(NOW - timedelta(minutes=10 - i)) for i in range(5)),
    )
    first_claimed = asyncio.Event()
    second_done = asyncio.Event()

    async def first() -> list[int]:
        async with SqlAlchemyUnitOfWork(clean_database) as uow:
            claimed = await uow.outbox.claim_due(NOW, NOW + LEASE, 2, token="test")
            first_claimed.set()
            # Holds its row locks, uncommitted, until the second claim ran.
            await second_done.wait()
            await uow.commit()
        return [mail.id for mail in claimed]

    async def second() -> list[int]:
        await first_claimed.wait()
        try:
            async with SqlAlchemyUnitOfWork(clean_database) as uow:
                claimed = await uow.outbox.claim_due(NOW, NOW + LEASE, 10, token="test")
                await uow.commit()
        finally:
            second_done.set()
        return [mail.id for mail in claimed]

    async with asyncio.timeout(30):
        got_first, got_second = await asyncio.gather(first(), second())

    assert got_first == ids[:2]
    assert got_second == ids[2:]
    assert await _claim(SqlAlchemyUnitOfWork(clean_database)) == []


# ---- users: the credential fields ----


async def test_user_credential_fields_round_trip(uow: SqlAlchemyUnitOfWork, make: Factory) -> None:
    async with uow:
        location = await make.location(uow)
        plain = await make.user(uow, location.id)
        user = await make.user(
            uow,
            location.id,
            temporary_password_expires_at=NOW + timedelta(hours=72),
            pin_failed_attempts=3,
            pin_locked_until=NOW + timedelta(minutes=15),
        )
        await uow.commit()
    async with uow:
        found = await uow.users.get(user.id)
        assert found == user
        assert found is not None
        assert found.temporary_password_expires_at == NOW + timedelta(hours=72)
        assert found.pin_locked_until is not None
        assert found.pin_locked_until.utcoffset() == timedelta(0)
        assert await uow.users.get(plain.id) == plain
        assert (plain.temporary_password_expires_at, plain.pin_failed_attempts) == (None, 0)

        found.temporary_password_expires_at = None
        found.pin_failed_attempts = 0
        found.pin_locked_until = None
        await uow.users.update(found)
        await uow.commit()
    async with uow:
        assert await uow.users.get(user.id) == found
        assert (await uow.users.get_many([user.id]))[user.id] == found

"""The E-Mail Gateway, the outbox and its dispatcher, on fakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from domain.errors import DomainError, Forbidden
from domain.model import MailKind, MailStatus, SmtpSecurity
from domain.ports import DeliveryOutcome, MailMessage
from domain.services.mail import (
    GatewayInput,
    configure_gateway,
    dispatch_due,
    read_gateway,
    retry_delay,
    send_test_email,
)
from domain.services.reset import ResetOption, reset_users
from tests.fakes import FakeDeps, FakeMailer, FakeSharingUnitOfWork, FakeStorageError
from tests.unit import given
from tests.unit.given import ROOT

GATEWAY = GatewayInput(
    host="smtp.example.org", port=587, security=SmtpSecurity.STARTTLS,
    sender_address="connect@example.org", username="connect", password="smtp-Secret-1",
)  # fmt: skip


async def queue_password_mails(deps: FakeDeps, count: int) -> list[int]:
    await configure_gateway(deps, ROOT, GATEWAY)
    loc = await given.location(deps)
    ids = [
        (await given.user(deps, f"user{n}", loc.id, email=f"user{n}@example.org")).id
        for n in range(count)
    ]
    await reset_users(deps, ROOT, [(str(i), i) for i in ids], [ResetOption.PASSWORD])
    return ids


class TestGateway:
    async def test_the_password_is_stored_encrypted_and_kept_when_omitted(
        self, deps: FakeDeps
    ) -> None:
        await configure_gateway(deps, ROOT, GATEWAY)
        stored = (await read_gateway(deps, ROOT)).gateway
        assert stored is not None
        assert stored.password_ciphertext not in (None, "smtp-Secret-1")
        assert deps.secrets.decrypt(stored.password_ciphertext or "") == "smtp-Secret-1"

        await configure_gateway(
            deps, ROOT, GatewayInput(**{**vars(GATEWAY), "password": None, "port": 2525})
        )
        kept = (await read_gateway(deps, ROOT)).gateway
        assert kept is not None
        assert (kept.port, kept.password_ciphertext) == (2525, stored.password_ciphertext)

        await configure_gateway(deps, ROOT, GatewayInput(**{**vars(GATEWAY), "password": ""}))
        removed = (await read_gateway(deps, ROOT)).gateway
        assert removed is not None
        assert removed.password_ciphertext is None

    async def test_bad_settings_name_their_fields(self, deps: FakeDeps) -> None:
        with pytest.raises(DomainError) as refused:
            await configure_gateway(
                deps, ROOT,
                GatewayInput(host=" ", port=0, security=SmtpSecurity.TLS, sender_address="x"),
            )  # fmt: skip
        assert sorted(p.field or () for p in refused.value.problems) == [
            ("host",), ("port",), ("senderAddress",),
        ]  # fmt: skip

    async def test_sub_administrators_do_not_touch_the_gateway(self, deps: FakeDeps) -> None:
        with pytest.raises(Forbidden):
            await configure_gateway(deps, given.sub_admin(1), GATEWAY)

    async def test_no_secret_reaches_the_audit_log(self, deps: FakeDeps) -> None:
        await configure_gateway(deps, ROOT, GATEWAY)
        assert "smtp-Secret-1" not in str([e.details for e in deps.uow.audit_events])

    async def test_a_test_message_reports_the_servers_answer(self, deps: FakeDeps) -> None:
        with pytest.raises(DomainError) as none:
            await send_test_email(deps, ROOT, "me@example.org")
        assert none.value.problems[0].code == "MAIL_GATEWAY_NOT_CONFIGURED"

        await configure_gateway(deps, ROOT, GATEWAY)
        deps.mailer.fail_next(DeliveryOutcome.FAILED, code=550, detail="5.1.1 no such user")
        with pytest.raises(DomainError) as refused:
            await send_test_email(deps, ROOT, "me@example.org")
        assert refused.value.problems[0].code == "MAIL_DELIVERY_FAILED"
        assert "550" in refused.value.problems[0].message
        assert "no such user" in refused.value.problems[0].message

        await send_test_email(deps, ROOT, "me@example.org")
        [(smtp, message)] = deps.mailer.sent
        assert (smtp.password, message.kind, message.recipient) == (
            "smtp-Secret-1", MailKind.TEST, "me@example.org",
        )  # fmt: skip


class TestDispatcher:
    async def test_queued_mail_goes_out_over_one_connection_and_the_secret_is_erased(
        self, deps: FakeDeps
    ) -> None:
        await queue_password_mails(deps, 3)

        assert await dispatch_due(deps) == 3

        assert deps.mailer.connections == 1
        assert [m.context["login"] for m in deps.mailer.messages] == ["user0", "user1", "user2"]
        assert all(m.secret for m in deps.mailer.messages)
        mails = deps.uow.outbox_mails
        assert {m.status for m in mails} == {MailStatus.SENT}
        assert {m.secret_ciphertext for m in mails} == {None}
        actions = [e.action for e in deps.uow.audit_events]
        assert actions.count("MAIL_SENT") == 3

    async def test_a_4xx_is_retried_with_backoff_then_sent(self, deps: FakeDeps) -> None:
        await queue_password_mails(deps, 1)
        deps.mailer.fail_next(DeliveryOutcome.RETRY, code=451)

        await dispatch_due(deps)
        [mail] = deps.uow.outbox_mails
        assert (mail.status, mail.attempts, mail.last_reply_code) == (MailStatus.PENDING, 1, 451)
        assert mail.secret_ciphertext is not None
        assert mail.next_attempt_at - deps.clock.now() <= timedelta(seconds=10)
        assert await dispatch_due(deps) == 0  # not due yet

        deps.clock.advance(seconds=10)
        assert await dispatch_due(deps) == 1
        [mail] = deps.uow.outbox_mails
        assert mail.status is MailStatus.SENT

    async def test_a_5xx_is_final(self, deps: FakeDeps) -> None:
        await queue_password_mails(deps, 1)
        deps.mailer.fail_next(DeliveryOutcome.FAILED, code=550)
        await dispatch_due(deps)
        [mail] = deps.uow.outbox_mails
        assert (mail.status, mail.secret_ciphertext) == (MailStatus.FAILED, None)
        failed = [e for e in deps.uow.audit_events if e.action == "MAIL_FAILED"]
        assert failed[0].details["reply_code"] == 550

    async def test_a_gateway_down_for_a_day_fails_finally(self, deps: FakeDeps) -> None:
        await queue_password_mails(deps, 1)
        while True:
            deps.mailer.fail_connections()
            await dispatch_due(deps)
            [mail] = deps.uow.outbox_mails
            if mail.status is not MailStatus.PENDING:
                break
            gap = mail.next_attempt_at - deps.clock.now()
            assert gap <= timedelta(minutes=5)
            deps.clock.advance(gap)
        assert mail.status is MailStatus.FAILED
        assert mail.secret_ciphertext is None
        assert mail.next_attempt_at - mail.created_at <= timedelta(hours=24, minutes=5)

    def test_retries_back_off_to_five_minutes(self, deps: FakeDeps) -> None:
        delays = [retry_delay(deps.config, n).total_seconds() for n in range(1, 8)]
        assert delays == [10, 20, 40, 80, 160, 300, 300]


class TestPoisonMessages:
    async def test_a_secret_that_no_longer_decrypts_fails_alone(self, deps: FakeDeps) -> None:
        await queue_password_mails(deps, 3)
        async with deps.uow as uow:
            spoilt = await uow.outbox.get(deps.uow.outbox_mails[1].id)
            assert spoilt is not None
            await uow.outbox.update(replace(spoilt, secret_ciphertext="written with another key"))
            await uow.commit()

        assert await dispatch_due(deps) == 3

        statuses = [(m.status, m.secret_ciphertext) for m in deps.uow.outbox_mails]
        assert statuses == [
            (MailStatus.SENT, None), (MailStatus.FAILED, None), (MailStatus.SENT, None),
        ]  # fmt: skip
        assert len(deps.mailer.sent) == 2

    async def test_an_adapter_crash_is_a_retry_not_a_stuck_batch(self, deps: FakeDeps) -> None:
        await queue_password_mails(deps, 2)
        deps.mailer.crash_next(RuntimeError("bug"))

        assert await dispatch_due(deps) == 2

        mails = deps.uow.outbox_mails
        assert {(m.status, m.attempts, m.claimed_until) for m in mails} == {
            (MailStatus.PENDING, 1, None)
        }
        deps.clock.advance(seconds=10)
        assert await dispatch_due(deps) == 2
        assert {m.status for m in deps.uow.outbox_mails} == {MailStatus.SENT}


class TestClaim:
    """The claim on a batch: each accepted message recorded at once, every write fenced."""

    async def test_each_accepted_message_is_recorded_before_the_next_is_sent(
        self, deps: FakeDeps
    ) -> None:
        await queue_password_mails(deps, 3)
        seen: list[list[tuple[MailStatus, bool]]] = []
        audited: list[int] = []

        async def before_send(message: MailMessage) -> None:
            mails = deps.uow.outbox_mails
            seen.append([(m.status, m.secret_ciphertext is None) for m in mails])
            audited.append([e.action for e in deps.uow.audit_events].count("MAIL_SENT"))

        deps.mailer.before_send = before_send
        assert await dispatch_due(deps) == 3

        pending, sent = (MailStatus.PENDING, False), (MailStatus.SENT, True)
        assert seen == [
            [pending, pending, pending], [sent, pending, pending], [sent, sent, pending],
        ]  # fmt: skip
        assert audited == [0, 1, 2]

    async def test_refusals_are_recorded_with_the_next_accepted_message(
        self, deps: FakeDeps
    ) -> None:
        await queue_password_mails(deps, 3)
        deps.mailer.fail_next(DeliveryOutcome.FAILED, code=550)
        commits: list[int] = []

        async def before_send(message: MailMessage) -> None:
            commits.append(deps.uow.committed)

        deps.mailer.before_send = before_send
        await dispatch_due(deps)

        # The claim, then one commit for the 550 and the first 250 together.
        assert [c - commits[0] for c in commits] == [0, 0, 1]
        statuses = [m.status for m in deps.uow.outbox_mails]
        assert statuses == [MailStatus.FAILED, MailStatus.SENT, MailStatus.SENT]

    async def test_a_dispatcher_whose_claim_was_taken_over_writes_nothing_more(
        self, deps: FakeDeps
    ) -> None:
        """The first dispatcher stalls past its claim while sending; a second one
        claims the batch and sends it. The first records nothing and sends no more."""
        await queue_password_mails(deps, 2)
        other = replace(deps, uow=FakeSharingUnitOfWork(deps.uow), mailer=FakeMailer())

        async def stall_and_get_overtaken(message: MailMessage) -> None:
            deps.mailer.before_send = None
            deps.clock.advance(deps.config.mail_claim_lease + timedelta(seconds=1))
            assert await dispatch_due(other) == 2

        deps.mailer.before_send = stall_and_get_overtaken
        assert await dispatch_due(deps) == 2

        assert [m.context["login"] for m in deps.mailer.messages] == ["user0"]
        assert [m.context["login"] for m in other.mailer.messages] == ["user0", "user1"]
        mails = deps.uow.outbox_mails
        assert {(m.status, m.attempts) for m in mails} == {(MailStatus.SENT, 1)}
        actions = [e.action for e in deps.uow.audit_events]
        assert actions.count("MAIL_SENT") == 2

    async def test_a_claim_not_renewed_in_time_stops_the_batch_and_releases_the_rest(
        self, deps: FakeDeps
    ) -> None:
        await queue_password_mails(deps, 3)

        async def stall(message: MailMessage) -> None:
            deps.mailer.before_send = None
            # More than half the claim gone without a renewal (the database unreachable).
            deps.clock.advance(deps.config.mail_claim_lease / 2 + timedelta(seconds=1))

        deps.mailer.before_send = stall
        assert await dispatch_due(deps) == 3

        assert [m.context["login"] for m in deps.mailer.messages] == ["user0"]
        states = [(m.status, m.attempts, m.claimed_until) for m in deps.uow.outbox_mails]
        assert states == [
            (MailStatus.SENT, 1, None), (MailStatus.PENDING, 0, None),
            (MailStatus.PENDING, 0, None),
        ]  # fmt: skip
        # Released, so due again at once.
        assert await dispatch_due(deps) == 2
        assert {m.status for m in deps.uow.outbox_mails} == {MailStatus.SENT}

    async def test_an_accepted_message_whose_record_failed_is_not_sent_again_at_once(
        self, deps: FakeDeps
    ) -> None:
        """The SMTP server took it, then the database refused the record: the message
        waits for its claim to run out instead of being released and sent at once."""
        await queue_password_mails(deps, 1)

        async def after_the_claim(message: MailMessage) -> None:
            deps.mailer.before_send = None
            deps.uow.fail_commits(1)  # the record of this message

        deps.mailer.before_send = after_the_claim
        with pytest.raises(FakeStorageError):
            await dispatch_due(deps)

        [mail] = deps.uow.outbox_mails
        assert (mail.status, mail.claimed_until is not None) == (MailStatus.PENDING, True)
        assert await dispatch_due(deps) == 0  # still claimed: nothing sent again now
        deps.clock.advance(deps.config.mail_claim_lease + timedelta(seconds=1))
        assert await dispatch_due(deps) == 1  # at least once, after the claim ran out
        assert len(deps.mailer.messages) == 2

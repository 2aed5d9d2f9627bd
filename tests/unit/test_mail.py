"""The E-Mail Gateway, the outbox and its dispatcher, on fakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from domain.errors import DomainError, Forbidden
from domain.model import MailKind, MailStatus, SmtpSecurity
from domain.ports import DeliveryOutcome, MailMessage
from domain.services.mail import GatewayInput
from domain.services.outbox import retry_delay
from domain.services.reset import ResetOption
from tests.fakes import FakeMailer, FakeServices, FakeSharingUnitOfWork, FakeStorageError
from tests.unit import given
from tests.unit.given import ROOT

GATEWAY = GatewayInput(
    host="smtp.example.org", port=587, security=SmtpSecurity.STARTTLS,
    sender_address="connect@example.org", username="connect", password="smtp-Secret-1",
)  # fmt: skip


async def queue_password_mails(services: FakeServices, count: int) -> list[int]:
    await services.mail.configure_gateway(ROOT, GATEWAY)
    loc = await given.location(services)
    ids = [
        (await given.user(services, f"user{n}", loc.id, email=f"user{n}@example.org")).id
        for n in range(count)
    ]
    await services.reset.reset_users(ROOT, [(str(i), i) for i in ids], [ResetOption.PASSWORD])
    return ids


class TestGateway:
    async def test_the_password_is_stored_encrypted_and_kept_when_omitted(
        self, services: FakeServices
    ) -> None:
        await services.mail.configure_gateway(ROOT, GATEWAY)
        stored = (await services.mail.read_gateway(ROOT)).gateway
        assert stored is not None
        assert stored.password_ciphertext not in (None, "smtp-Secret-1")
        assert services.secrets.decrypt(stored.password_ciphertext or "") == "smtp-Secret-1"

        await services.mail.configure_gateway(
            ROOT, GatewayInput(**{**vars(GATEWAY), "password": None, "port": 2525})
        )
        kept = (await services.mail.read_gateway(ROOT)).gateway
        assert kept is not None
        assert (kept.port, kept.password_ciphertext) == (2525, stored.password_ciphertext)

        await services.mail.configure_gateway(
            ROOT, GatewayInput(**{**vars(GATEWAY), "password": ""})
        )
        removed = (await services.mail.read_gateway(ROOT)).gateway
        assert removed is not None
        assert removed.password_ciphertext is None

    async def test_bad_settings_name_their_fields(self, services: FakeServices) -> None:
        with pytest.raises(DomainError) as refused:
            await services.mail.configure_gateway(
                ROOT,
                GatewayInput(host=" ", port=0, security=SmtpSecurity.TLS, sender_address="x"),
            )  # fmt: skip
        assert sorted(p.field or () for p in refused.value.problems) == [
            ("host",), ("port",), ("senderAddress",),
        ]  # fmt: skip

    async def test_sub_administrators_do_not_touch_the_gateway(
        self, services: FakeServices
    ) -> None:
        with pytest.raises(Forbidden):
            await services.mail.configure_gateway(given.sub_admin(1), GATEWAY)

    async def test_no_secret_reaches_the_audit_log(self, services: FakeServices) -> None:
        await services.mail.configure_gateway(ROOT, GATEWAY)
        assert "smtp-Secret-1" not in str([e.details for e in services.uow.audit_events])

    async def test_a_test_message_reports_the_servers_answer(self, services: FakeServices) -> None:
        with pytest.raises(DomainError) as none:
            await services.mail.send_test_email(ROOT, "me@example.org")
        assert none.value.problems[0].code == "MAIL_GATEWAY_NOT_CONFIGURED"

        await services.mail.configure_gateway(ROOT, GATEWAY)
        services.mailer.fail_next(DeliveryOutcome.FAILED, code=550, detail="5.1.1 no such user")
        with pytest.raises(DomainError) as refused:
            await services.mail.send_test_email(ROOT, "me@example.org")
        assert refused.value.problems[0].code == "MAIL_DELIVERY_FAILED"
        assert "550" in refused.value.problems[0].message
        assert "no such user" in refused.value.problems[0].message

        await services.mail.send_test_email(ROOT, "me@example.org")
        [(smtp, message)] = services.mailer.sent
        assert (smtp.password, message.kind, message.recipient) == (
            "smtp-Secret-1", MailKind.TEST, "me@example.org",
        )  # fmt: skip


class TestDispatcher:
    async def test_queued_mail_goes_out_over_one_connection_and_the_secret_is_erased(
        self, services: FakeServices
    ) -> None:
        await queue_password_mails(services, 3)

        assert await services.outbox.dispatch_due() == 3

        assert services.mailer.connections == 1
        assert [m.context["login"] for m in services.mailer.messages] == ["user0", "user1", "user2"]
        assert all(m.secret for m in services.mailer.messages)
        mails = services.uow.outbox_mails
        assert {m.status for m in mails} == {MailStatus.SENT}
        assert {m.secret_ciphertext for m in mails} == {None}
        actions = [e.action for e in services.uow.audit_events]
        assert actions.count("MAIL_SENT") == 3

    async def test_a_4xx_is_retried_with_backoff_then_sent(self, services: FakeServices) -> None:
        await queue_password_mails(services, 1)
        services.mailer.fail_next(DeliveryOutcome.RETRY, code=451)

        await services.outbox.dispatch_due()
        [mail] = services.uow.outbox_mails
        assert (mail.status, mail.attempts, mail.last_reply_code) == (MailStatus.PENDING, 1, 451)
        assert mail.secret_ciphertext is not None
        assert mail.next_attempt_at - services.clock.now() <= timedelta(seconds=10)
        assert await services.outbox.dispatch_due() == 0  # not due yet

        services.clock.advance(seconds=10)
        assert await services.outbox.dispatch_due() == 1
        [mail] = services.uow.outbox_mails
        assert mail.status is MailStatus.SENT

    async def test_a_5xx_is_final(self, services: FakeServices) -> None:
        await queue_password_mails(services, 1)
        services.mailer.fail_next(DeliveryOutcome.FAILED, code=550)
        await services.outbox.dispatch_due()
        [mail] = services.uow.outbox_mails
        assert (mail.status, mail.secret_ciphertext) == (MailStatus.FAILED, None)
        failed = [e for e in services.uow.audit_events if e.action == "MAIL_FAILED"]
        assert failed[0].details["reply_code"] == 550

    async def test_a_gateway_down_for_a_day_fails_finally(self, services: FakeServices) -> None:
        await queue_password_mails(services, 1)
        while True:
            services.mailer.fail_connections()
            await services.outbox.dispatch_due()
            [mail] = services.uow.outbox_mails
            if mail.status is not MailStatus.PENDING:
                break
            gap = mail.next_attempt_at - services.clock.now()
            assert gap <= timedelta(minutes=5)
            services.clock.advance(gap)
        assert mail.status is MailStatus.FAILED
        assert mail.secret_ciphertext is None
        assert mail.next_attempt_at - mail.created_at <= timedelta(hours=24, minutes=5)

    def test_retries_back_off_to_five_minutes(self, services: FakeServices) -> None:
        delays = [retry_delay(services.config, n).total_seconds() for n in range(1, 8)]
        assert delays == [10, 20, 40, 80, 160, 300, 300]


class TestPoisonMessages:
    async def test_a_secret_that_no_longer_decrypts_fails_alone(
        self, services: FakeServices
    ) -> None:
        await queue_password_mails(services, 3)
        async with services.uow as uow:
            spoilt = await uow.outbox.get(services.uow.outbox_mails[1].id)
            assert spoilt is not None
            await uow.outbox.update(replace(spoilt, secret_ciphertext="written with another key"))
            await uow.commit()

        assert await services.outbox.dispatch_due() == 3

        statuses = [(m.status, m.secret_ciphertext) for m in services.uow.outbox_mails]
        assert statuses == [
            (MailStatus.SENT, None), (MailStatus.FAILED, None), (MailStatus.SENT, None),
        ]  # fmt: skip
        assert len(services.mailer.sent) == 2

    async def test_an_adapter_crash_is_a_retry_not_a_stuck_batch(
        self, services: FakeServices
    ) -> None:
        await queue_password_mails(services, 2)
        services.mailer.crash_next(RuntimeError("bug"))

        assert await services.outbox.dispatch_due() == 2

        mails = services.uow.outbox_mails
        assert {(m.status, m.attempts, m.claimed_until) for m in mails} == {
            (MailStatus.PENDING, 1, None)
        }
        services.clock.advance(seconds=10)
        assert await services.outbox.dispatch_due() == 2
        assert {m.status for m in services.uow.outbox_mails} == {MailStatus.SENT}


class TestClaim:
    """The claim on a batch: each accepted message recorded at once, every write fenced."""

    async def test_each_accepted_message_is_recorded_before_the_next_is_sent(
        self, services: FakeServices
    ) -> None:
        await queue_password_mails(services, 3)
        seen: list[list[tuple[MailStatus, bool]]] = []
        audited: list[int] = []

        async def before_send(message: MailMessage) -> None:
            mails = services.uow.outbox_mails
            seen.append([(m.status, m.secret_ciphertext is None) for m in mails])
            audited.append([e.action for e in services.uow.audit_events].count("MAIL_SENT"))

        services.mailer.before_send = before_send
        assert await services.outbox.dispatch_due() == 3

        pending, sent = (MailStatus.PENDING, False), (MailStatus.SENT, True)
        assert seen == [
            [pending, pending, pending], [sent, pending, pending], [sent, sent, pending],
        ]  # fmt: skip
        assert audited == [0, 1, 2]

    async def test_refusals_are_recorded_with_the_next_accepted_message(
        self, services: FakeServices
    ) -> None:
        await queue_password_mails(services, 3)
        services.mailer.fail_next(DeliveryOutcome.FAILED, code=550)
        commits: list[int] = []

        async def before_send(message: MailMessage) -> None:
            commits.append(services.uow.committed)

        services.mailer.before_send = before_send
        await services.outbox.dispatch_due()

        # The claim, then one commit for the 550 and the first 250 together.
        assert [c - commits[0] for c in commits] == [0, 0, 1]
        statuses = [m.status for m in services.uow.outbox_mails]
        assert statuses == [MailStatus.FAILED, MailStatus.SENT, MailStatus.SENT]

    async def test_a_dispatcher_whose_claim_was_taken_over_writes_nothing_more(
        self, services: FakeServices
    ) -> None:
        """The first dispatcher stalls past its claim while sending; a second one
        claims the batch and sends it. The first records nothing and sends no more."""
        await queue_password_mails(services, 2)
        other = replace(services, uow=FakeSharingUnitOfWork(services.uow), mailer=FakeMailer())

        async def stall_and_get_overtaken(message: MailMessage) -> None:
            services.mailer.before_send = None
            services.clock.advance(services.config.mail_claim_lease + timedelta(seconds=1))
            assert await other.outbox.dispatch_due() == 2

        services.mailer.before_send = stall_and_get_overtaken
        assert await services.outbox.dispatch_due() == 2

        assert [m.context["login"] for m in services.mailer.messages] == ["user0"]
        assert [m.context["login"] for m in other.mailer.messages] == ["user0", "user1"]
        mails = services.uow.outbox_mails
        assert {(m.status, m.attempts) for m in mails} == {(MailStatus.SENT, 1)}
        actions = [e.action for e in services.uow.audit_events]
        assert actions.count("MAIL_SENT") == 2

    async def test_a_claim_not_renewed_in_time_stops_the_batch_and_releases_the_rest(
        self, services: FakeServices
    ) -> None:
        await queue_password_mails(services, 3)

        async def stall(message: MailMessage) -> None:
            services.mailer.before_send = None
            # More than half the claim gone without a renewal (the database unreachable).
            services.clock.advance(services.config.mail_claim_lease / 2 + timedelta(seconds=1))

        services.mailer.before_send = stall
        assert await services.outbox.dispatch_due() == 3

        assert [m.context["login"] for m in services.mailer.messages] == ["user0"]
        states = [(m.status, m.attempts, m.claimed_until) for m in services.uow.outbox_mails]
        assert states == [
            (MailStatus.SENT, 1, None), (MailStatus.PENDING, 0, None),
            (MailStatus.PENDING, 0, None),
        ]  # fmt: skip
        # Released, so due again at once.
        assert await services.outbox.dispatch_due() == 2
        assert {m.status for m in services.uow.outbox_mails} == {MailStatus.SENT}

    async def test_an_accepted_message_whose_record_failed_is_not_sent_again_at_once(
        self, services: FakeServices
    ) -> None:
        """The SMTP server took it, then the database refused the record: the message
        waits for its claim to run out instead of being released and sent at once."""
        await queue_password_mails(services, 1)

        async def after_the_claim(message: MailMessage) -> None:
            services.mailer.before_send = None
            services.uow.fail_commits(1)  # the record of this message

        services.mailer.before_send = after_the_claim
        with pytest.raises(FakeStorageError):
            await services.outbox.dispatch_due()

        [mail] = services.uow.outbox_mails
        assert (mail.status, mail.claimed_until is not None) == (MailStatus.PENDING, True)
        assert await services.outbox.dispatch_due() == 0  # still claimed: nothing sent again now
        services.clock.advance(services.config.mail_claim_lease + timedelta(seconds=1))
        assert await services.outbox.dispatch_due() == 1  # at least once, after the claim ran out
        assert len(services.mailer.messages) == 2

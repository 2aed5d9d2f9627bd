"""Random passwords by reset, passwords set by hand, and the voicemail PIN."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from domain.errors import DomainError, Forbidden
from domain.model import (
    EmailGateway,
    MailKind,
    MailStatus,
    OutgoingMail,
    PasswordPolicy,
    SmtpSecurity,
    VoicemailPinState,
)
from domain.principals import AdminPrincipal
from domain.rules import is_trivial_pin, password_policy_violations
from domain.services.credentials import (
    VoicemailAccessOutcome,
)
from domain.services.reset import ResetOption, UserResetStatus
from tests.fakes import FakeServices
from tests.unit import given
from tests.unit.given import GOOD_PASSWORD, ROOT

VOICEMAIL = AdminPrincipal(admin_id=1, login="voicemail", location_ids=None, via_api_token=True)


async def configure_gateway(services: FakeServices) -> None:
    async with services.uow as uow:
        await uow.email_gateway.save(
            EmailGateway(
                host="127.0.0.1", port=25, security=SmtpSecurity.NONE,
                sender_address="connect@example.org",
            )
        )  # fmt: skip
        await uow.commit()


async def queued(services: FakeServices) -> list[OutgoingMail]:
    async with services.uow as uow:
        now = services.clock.now()
        return await uow.outbox.claim_due(now + timedelta(days=2), now, 1000, token="test")


class TestRandomPassword:
    async def test_a_reset_password_is_queued_encrypted_and_must_be_changed(
        self, services: FakeServices
    ) -> None:
        await configure_gateway(services)
        loc = await given.location(services, password_policy=PasswordPolicy(require_symbol=True))
        anna = await given.user(
            services, "anna", loc.id, password=GOOD_PASSWORD, email="anna@example.org"
        )
        old_session = await services.auth.user_sign_in("anna", GOOD_PASSWORD)

        [outcome] = await services.reset.reset_users(ROOT, [("a", anna.id)], [ResetOption.PASSWORD])

        assert outcome.status is UserResetStatus.SUCCEEDED
        [mail] = await queued(services)
        assert (mail.kind, mail.recipient, mail.status) == (
            MailKind.PASSWORD, "anna@example.org", MailStatus.PENDING,
        )  # fmt: skip
        assert mail.secret_ciphertext is not None
        password = services.secrets.decrypt(mail.secret_ciphertext)
        assert password not in str(mail.context)
        assert len(password) >= 16
        assert password_policy_violations(PasswordPolicy(require_symbol=True), password) == []
        stored = await given.stored_user(services, anna.id)
        assert stored is not None
        assert stored.password_change_required
        with pytest.raises(Exception):  # noqa: B017, PT011 - the session is gone
            await services.auth.authenticate(old_session.token)
        signed_in = await services.auth.user_sign_in("anna", password)
        assert signed_in.password_change_required

    async def test_an_unused_random_password_expires(self, services: FakeServices) -> None:
        await configure_gateway(services)
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, email="anna@example.org")
        await services.reset.reset_users(ROOT, [("a", anna.id)], [ResetOption.PASSWORD])
        [mail] = await queued(services)
        password = services.secrets.decrypt(mail.secret_ciphertext or "")

        services.clock.advance(hours=72)

        with pytest.raises(DomainError) as refused:
            await services.auth.user_sign_in("anna", password)
        assert refused.value.problems[0].code == "TEMPORARY_PASSWORD_EXPIRED"

    async def test_a_dry_run_makes_no_password_and_queues_nothing(
        self, services: FakeServices
    ) -> None:
        await configure_gateway(services)
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, password=GOOD_PASSWORD, email="a@x.org")
        [outcome] = await services.reset.reset_users(
            ROOT, [("a", anna.id)], [ResetOption.PASSWORD], dry_run=True
        )
        assert outcome.actions[0].done
        assert await queued(services) == []
        assert (await services.auth.user_sign_in("anna", GOOD_PASSWORD)).token


class TestSetUserPassword:
    async def test_the_policy_names_the_broken_rule(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)
        with pytest.raises(DomainError) as refused:
            await services.credentials.set_user_password(ROOT, anna.id, "short")
        [problem] = refused.value.problems
        assert problem.code == "PASSWORD_POLICY"
        assert "at least 12 characters" in problem.message

    async def test_a_password_set_by_hand_must_be_changed(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)
        await services.credentials.set_user_password(ROOT, anna.id, GOOD_PASSWORD)
        assert (await services.auth.user_sign_in("anna", GOOD_PASSWORD)).password_change_required

    async def test_the_password_is_hashed_outside_the_transaction(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)

        await services.credentials.set_user_password(ROOT, anna.id, GOOD_PASSWORD)

        assert (services.hasher.hashed, services.hasher.during_writes) == (1, 0)

    async def test_a_refused_password_is_not_hashed(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)
        with pytest.raises(DomainError):
            await services.credentials.set_user_password(ROOT, anna.id, "short")
        assert services.hasher.hashed == 0

    async def test_out_of_scope_users_are_not_found(self, services: FakeServices) -> None:
        munich = await given.location(services, "Munich")
        berlin = await given.location(services, "Berlin")
        ben = await given.user(services, "ben", berlin.id)
        with pytest.raises(DomainError) as refused:
            await services.credentials.set_user_password(
                given.sub_admin(munich.id), ben.id, GOOD_PASSWORD
            )
        assert refused.value.problems[0].code == "USER_NOT_FOUND"


class TestVoicemailPin:
    async def pending(self, services: FakeServices, work_phone: str | None = None) -> int:
        await configure_gateway(services)
        loc = await given.location(services)
        anna = await given.user(
            services, "anna", loc.id, email="anna@example.org", work_phone=work_phone
        )
        await services.reset.reset_users(ROOT, [("a", anna.id)], [ResetOption.VOICEMAIL_PIN])
        return anna.id

    async def delivered(self, services: FakeServices) -> tuple[int, str]:
        """Anna's id and the PIN that her first remote access mailed."""
        anna_id = await self.pending(services)
        await services.credentials.voicemail_remote_access(VOICEMAIL, "anna")
        [mail] = await queued(services)
        return anna_id, services.secrets.decrypt(mail.secret_ciphertext or "")

    async def test_the_first_remote_access_mails_a_new_pin_then_asks_for_it(
        self, services: FakeServices
    ) -> None:
        anna_id = await self.pending(services, work_phone="+49 30 123456")
        stored = await given.stored_user(services, anna_id)
        assert stored is not None
        assert stored.voicemail_pin_state is VoicemailPinState.PENDING_DELIVERY
        assert await queued(services) == []  # nothing is sent before the first access

        first = await services.credentials.voicemail_remote_access(VOICEMAIL, "anna")
        second = await services.credentials.voicemail_remote_access(VOICEMAIL, "anna")

        assert (first, second) == (
            VoicemailAccessOutcome.PIN_SENT_BY_EMAIL, VoicemailAccessOutcome.PIN_REQUIRED,
        )  # fmt: skip
        [mail] = await queued(services)
        pin = services.secrets.decrypt(mail.secret_ciphertext or "")
        assert len(pin) >= 6
        assert pin.isdigit()
        assert not is_trivial_pin(pin, "+49 30 123456")
        stored = await given.stored_user(services, anna_id)
        assert stored is not None
        assert await services.hasher.verify(stored.voicemail_pin_hash, pin)
        await services.credentials.verify_voicemail_pin(VOICEMAIL, "anna", pin)

    async def test_five_wrong_pins_lock_it_for_a_while(self, services: FakeServices) -> None:
        _, pin = await self.delivered(services)
        for _ in range(5):
            with pytest.raises(DomainError) as wrong:
                await services.credentials.verify_voicemail_pin(VOICEMAIL, "anna", "000000")
            assert wrong.value.problems[0].code == "INVALID_PIN"
        with pytest.raises(DomainError) as locked:
            await services.credentials.verify_voicemail_pin(VOICEMAIL, "anna", pin)
        assert locked.value.problems[0].code == "PIN_LOCKED"

        services.clock.advance(minutes=15)
        await services.credentials.verify_voicemail_pin(VOICEMAIL, "anna", pin)

    async def test_pins_are_made_and_checked_outside_any_writing_transaction(
        self, services: FakeServices
    ) -> None:
        _, pin = await self.delivered(services)

        with pytest.raises(DomainError):
            await services.credentials.verify_voicemail_pin(VOICEMAIL, "anna", "000000")
        await services.credentials.verify_voicemail_pin(VOICEMAIL, "anna", pin)

        assert (services.hasher.hashed, services.hasher.verified) == (1, 2)
        assert services.hasher.during_writes == 0

    async def test_a_pin_delivered_meanwhile_is_not_made_again(
        self, services: FakeServices
    ) -> None:
        anna_id = await self.pending(services)
        services.hasher.hold()
        access = asyncio.create_task(
            services.credentials.voicemail_remote_access(VOICEMAIL, "anna")
        )
        await services.hasher.until_waiting(1)
        # Another call stored its PIN while this one was hashing.
        other = replace(
            services.uow.data.users[anna_id],
            voicemail_pin_state=VoicemailPinState.SET, voicemail_pin_hash="fake$864297",
        )  # fmt: skip
        services.uow.data.users[anna_id] = other
        services.hasher.release()

        assert await access is VoicemailAccessOutcome.PIN_REQUIRED
        assert await queued(services) == []
        assert services.uow.data.users[anna_id].voicemail_pin_hash == "fake$864297"

    async def test_a_pin_reset_while_it_is_checked_no_longer_opens(
        self, services: FakeServices
    ) -> None:
        anna_id, pin = await self.delivered(services)
        services.hasher.hold()
        check = asyncio.create_task(
            services.credentials.verify_voicemail_pin(VOICEMAIL, "anna", pin)
        )
        await services.hasher.until_waiting(1)

        await services.reset.reset_users(ROOT, [("a", anna_id)], [ResetOption.VOICEMAIL_PIN])
        services.hasher.release()

        with pytest.raises(DomainError) as refused:
            await check
        assert refused.value.problems[0].code == "NO_PIN"

    async def test_parallel_guesses_get_no_more_tries_than_guesses_in_a_row(
        self, services: FakeServices
    ) -> None:
        _, pin = await self.delivered(services)
        services.hasher.hold()
        guesses = [
            asyncio.create_task(
                services.credentials.verify_voicemail_pin(VOICEMAIL, "anna", "000000")
            )
            for _ in range(5)
        ]
        await services.hasher.until_waiting(5)

        # Five tries are being checked: a sixth is refused unchecked, even the right PIN.
        with pytest.raises(DomainError) as sixth:
            await services.credentials.verify_voicemail_pin(VOICEMAIL, "anna", pin)
        services.hasher.release()
        answers = await asyncio.gather(*guesses, return_exceptions=True)

        assert sixth.value.problems[0].code == "PIN_LOCKED"
        assert {a.problems[0].code for a in answers if isinstance(a, DomainError)} == {
            "INVALID_PIN"
        }
        with pytest.raises(DomainError) as after:
            await services.credentials.verify_voicemail_pin(VOICEMAIL, "anna", pin)
        assert after.value.problems[0].code == "PIN_LOCKED"
        locks = [e for e in services.uow.audit_events if e.action == "VOICEMAIL_PIN_LOCKED"]
        assert len(locks) == 1

    async def test_a_right_pin_checked_alongside_wrong_ones_opens_and_clears_them(
        self, services: FakeServices
    ) -> None:
        anna_id, pin = await self.delivered(services)
        services.hasher.hold()
        wrong = [
            asyncio.create_task(
                services.credentials.verify_voicemail_pin(VOICEMAIL, "anna", "000000")
            )
            for _ in range(4)
        ]
        right = asyncio.create_task(
            services.credentials.verify_voicemail_pin(VOICEMAIL, "anna", pin)
        )
        await services.hasher.until_waiting(5)
        services.hasher.release()

        await asyncio.gather(*wrong, return_exceptions=True)
        await right  # its try came before the wrong ones settled: it opens

        stored = services.uow.data.users[anna_id]
        assert (stored.pin_failed_attempts, stored.pin_locked_until) == (0, None)

    async def test_no_pin_and_no_access_without_one(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id)
        assert await services.credentials.voicemail_remote_access(VOICEMAIL, "anna") is (
            VoicemailAccessOutcome.NO_PIN
        )

    async def test_only_an_api_token_may_call(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id)
        with pytest.raises(Forbidden):
            await services.credentials.voicemail_remote_access(ROOT, "anna")

    @pytest.mark.parametrize(
        ("pin", "trivial"),
        [
            ("111234", True), ("123579", True), ("986543", True), ("864297", False),
            ("112233", False), ("345612", True),
        ],
    )  # fmt: skip
    def test_trivial_pins(self, pin: str, trivial: bool) -> None:
        assert is_trivial_pin(pin, "+49 30 345612") is trivial


class TestPasswordsHashedAhead:
    async def test_each_mailed_password_matches_its_own_users_hash_across_batches(
        self, services: FakeServices
    ) -> None:
        await configure_gateway(services)
        loc = await given.location(services)
        with_mail = [
            await given.user(services, f"user{n}", loc.id, email=f"user{n}@example.org")
            for n in range(19)  # more than two batches of 8
        ]
        no_mail = await given.user(services, "nomail", loc.id)
        requested = [(str(u.id), u.id) for u in [*with_mail[:10], no_mail, *with_mail[10:]]]

        outcomes = await services.reset.reset_users(ROOT, requested, [ResetOption.PASSWORD])

        assert [o.key for o in outcomes] == [key for key, _ in requested]
        assert outcomes[10].actions[0].problems[0].code == "EMAIL_MISSING"
        mails = await queued(services)
        assert sorted(m.target_user_id or 0 for m in mails) == sorted(u.id for u in with_mail)
        for mail in mails:
            stored = await given.stored_user(services, mail.target_user_id or 0)
            assert stored is not None
            password = services.secrets.decrypt(mail.secret_ciphertext or "")
            assert await services.hasher.verify(stored.password_hash, password)

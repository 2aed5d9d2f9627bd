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
from domain.services.auth import authenticate, user_sign_in
from domain.services.credentials import (
    VoicemailAccessOutcome,
    set_user_password,
    verify_voicemail_pin,
    voicemail_remote_access,
)
from domain.services.reset import ResetOption, UserResetStatus, reset_users
from tests.fakes import FakeDeps
from tests.unit import given
from tests.unit.given import GOOD_PASSWORD, ROOT

VOICEMAIL = AdminPrincipal(admin_id=1, login="voicemail", location_ids=None, via_api_token=True)


async def configure_gateway(deps: FakeDeps) -> None:
    async with deps.uow as uow:
        await uow.email_gateway.save(
            EmailGateway(
                host="127.0.0.1", port=25, security=SmtpSecurity.NONE,
                sender_address="connect@example.org",
            )
        )  # fmt: skip
        await uow.commit()


async def queued(deps: FakeDeps) -> list[OutgoingMail]:
    async with deps.uow as uow:
        now = deps.clock.now()
        return await uow.outbox.claim_due(now + timedelta(days=2), now, 1000, token="test")


class TestRandomPassword:
    async def test_a_reset_password_is_queued_encrypted_and_must_be_changed(
        self, deps: FakeDeps
    ) -> None:
        await configure_gateway(deps)
        loc = await given.location(deps, password_policy=PasswordPolicy(require_symbol=True))
        anna = await given.user(
            deps, "anna", loc.id, password=GOOD_PASSWORD, email="anna@example.org"
        )
        old_session = await user_sign_in(deps, "anna", GOOD_PASSWORD)

        [outcome] = await reset_users(deps, ROOT, [("a", anna.id)], [ResetOption.PASSWORD])

        assert outcome.status is UserResetStatus.SUCCEEDED
        [mail] = await queued(deps)
        assert (mail.kind, mail.recipient, mail.status) == (
            MailKind.PASSWORD, "anna@example.org", MailStatus.PENDING,
        )  # fmt: skip
        assert mail.secret_ciphertext is not None
        password = deps.secrets.decrypt(mail.secret_ciphertext)
        assert password not in str(mail.context)
        assert len(password) >= 16
        assert password_policy_violations(PasswordPolicy(require_symbol=True), password) == []
        stored = await given.stored_user(deps, anna.id)
        assert stored is not None
        assert stored.password_change_required
        with pytest.raises(Exception):  # noqa: B017, PT011 - the session is gone
            await authenticate(deps, old_session.token)
        signed_in = await user_sign_in(deps, "anna", password)
        assert signed_in.password_change_required

    async def test_an_unused_random_password_expires(self, deps: FakeDeps) -> None:
        await configure_gateway(deps)
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id, email="anna@example.org")
        await reset_users(deps, ROOT, [("a", anna.id)], [ResetOption.PASSWORD])
        [mail] = await queued(deps)
        password = deps.secrets.decrypt(mail.secret_ciphertext or "")

        deps.clock.advance(hours=72)

        with pytest.raises(DomainError) as refused:
            await user_sign_in(deps, "anna", password)
        assert refused.value.problems[0].code == "TEMPORARY_PASSWORD_EXPIRED"

    async def test_a_dry_run_makes_no_password_and_queues_nothing(self, deps: FakeDeps) -> None:
        await configure_gateway(deps)
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD, email="a@x.org")
        [outcome] = await reset_users(
            deps, ROOT, [("a", anna.id)], [ResetOption.PASSWORD], dry_run=True
        )
        assert outcome.actions[0].done
        assert await queued(deps) == []
        assert (await user_sign_in(deps, "anna", GOOD_PASSWORD)).token


class TestSetUserPassword:
    async def test_the_policy_names_the_broken_rule(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id)
        with pytest.raises(DomainError) as refused:
            await set_user_password(deps, ROOT, anna.id, "short")
        [problem] = refused.value.problems
        assert problem.code == "PASSWORD_POLICY"
        assert "at least 12 characters" in problem.message

    async def test_a_password_set_by_hand_must_be_changed(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id)
        await set_user_password(deps, ROOT, anna.id, GOOD_PASSWORD)
        assert (await user_sign_in(deps, "anna", GOOD_PASSWORD)).password_change_required

    async def test_the_password_is_hashed_outside_the_transaction(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id)

        await set_user_password(deps, ROOT, anna.id, GOOD_PASSWORD)

        assert (deps.hasher.hashed, deps.hasher.during_writes) == (1, 0)

    async def test_a_refused_password_is_not_hashed(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id)
        with pytest.raises(DomainError):
            await set_user_password(deps, ROOT, anna.id, "short")
        assert deps.hasher.hashed == 0

    async def test_out_of_scope_users_are_not_found(self, deps: FakeDeps) -> None:
        munich = await given.location(deps, "Munich")
        berlin = await given.location(deps, "Berlin")
        ben = await given.user(deps, "ben", berlin.id)
        with pytest.raises(DomainError) as refused:
            await set_user_password(deps, given.sub_admin(munich.id), ben.id, GOOD_PASSWORD)
        assert refused.value.problems[0].code == "USER_NOT_FOUND"


class TestVoicemailPin:
    async def pending(self, deps: FakeDeps, work_phone: str | None = None) -> int:
        await configure_gateway(deps)
        loc = await given.location(deps)
        anna = await given.user(
            deps, "anna", loc.id, email="anna@example.org", work_phone=work_phone
        )
        await reset_users(deps, ROOT, [("a", anna.id)], [ResetOption.VOICEMAIL_PIN])
        return anna.id

    async def delivered(self, deps: FakeDeps) -> tuple[int, str]:
        """Anna's id and the PIN that her first remote access mailed."""
        anna_id = await self.pending(deps)
        await voicemail_remote_access(deps, VOICEMAIL, "anna")
        [mail] = await queued(deps)
        return anna_id, deps.secrets.decrypt(mail.secret_ciphertext or "")

    async def test_the_first_remote_access_mails_a_new_pin_then_asks_for_it(
        self, deps: FakeDeps
    ) -> None:
        anna_id = await self.pending(deps, work_phone="+49 30 123456")
        stored = await given.stored_user(deps, anna_id)
        assert stored is not None
        assert stored.voicemail_pin_state is VoicemailPinState.PENDING_DELIVERY
        assert await queued(deps) == []  # nothing is sent before the first access

        first = await voicemail_remote_access(deps, VOICEMAIL, "anna")
        second = await voicemail_remote_access(deps, VOICEMAIL, "anna")

        assert (first, second) == (
            VoicemailAccessOutcome.PIN_SENT_BY_EMAIL, VoicemailAccessOutcome.PIN_REQUIRED,
        )  # fmt: skip
        [mail] = await queued(deps)
        pin = deps.secrets.decrypt(mail.secret_ciphertext or "")
        assert len(pin) >= 6
        assert pin.isdigit()
        assert not is_trivial_pin(pin, "+49 30 123456")
        stored = await given.stored_user(deps, anna_id)
        assert stored is not None
        assert await deps.hasher.verify(stored.voicemail_pin_hash, pin)
        await verify_voicemail_pin(deps, VOICEMAIL, "anna", pin)

    async def test_five_wrong_pins_lock_it_for_a_while(self, deps: FakeDeps) -> None:
        _, pin = await self.delivered(deps)
        for _ in range(5):
            with pytest.raises(DomainError) as wrong:
                await verify_voicemail_pin(deps, VOICEMAIL, "anna", "000000")
            assert wrong.value.problems[0].code == "INVALID_PIN"
        with pytest.raises(DomainError) as locked:
            await verify_voicemail_pin(deps, VOICEMAIL, "anna", pin)
        assert locked.value.problems[0].code == "PIN_LOCKED"

        deps.clock.advance(minutes=15)
        await verify_voicemail_pin(deps, VOICEMAIL, "anna", pin)

    async def test_pins_are_made_and_checked_outside_any_writing_transaction(
        self, deps: FakeDeps
    ) -> None:
        _, pin = await self.delivered(deps)

        with pytest.raises(DomainError):
            await verify_voicemail_pin(deps, VOICEMAIL, "anna", "000000")
        await verify_voicemail_pin(deps, VOICEMAIL, "anna", pin)

        assert (deps.hasher.hashed, deps.hasher.verified) == (1, 2)
        assert deps.hasher.during_writes == 0

    async def test_a_pin_delivered_meanwhile_is_not_made_again(self, deps: FakeDeps) -> None:
        anna_id = await self.pending(deps)
        deps.hasher.hold()
        access = asyncio.create_task(voicemail_remote_access(deps, VOICEMAIL, "anna"))
        await deps.hasher.until_waiting(1)
        # Another call stored its PIN while this one was hashing.
        other = replace(
            deps.uow.data.users[anna_id],
            voicemail_pin_state=VoicemailPinState.SET, voicemail_pin_hash="fake$864297",
        )  # fmt: skip
        deps.uow.data.users[anna_id] = other
        deps.hasher.release()

        assert await access is VoicemailAccessOutcome.PIN_REQUIRED
        assert await queued(deps) == []
        assert deps.uow.data.users[anna_id].voicemail_pin_hash == "fake$864297"

    async def test_a_pin_reset_while_it_is_checked_no_longer_opens(self, deps: FakeDeps) -> None:
        anna_id, pin = await self.delivered(deps)
        deps.hasher.hold()
        check = asyncio.create_task(verify_voicemail_pin(deps, VOICEMAIL, "anna", pin))
        await deps.hasher.until_waiting(1)

        await reset_users(deps, ROOT, [("a", anna_id)], [ResetOption.VOICEMAIL_PIN])
        deps.hasher.release()

        with pytest.raises(DomainError) as refused:
            await check
        assert refused.value.problems[0].code == "NO_PIN"

    async def test_parallel_guesses_get_no_more_tries_than_guesses_in_a_row(
        self, deps: FakeDeps
    ) -> None:
        _, pin = await self.delivered(deps)
        deps.hasher.hold()
        guesses = [
            asyncio.create_task(verify_voicemail_pin(deps, VOICEMAIL, "anna", "000000"))
            for _ in range(5)
        ]
        await deps.hasher.until_waiting(5)

        # Five tries are being checked: a sixth is refused unchecked, even the right PIN.
        with pytest.raises(DomainError) as sixth:
            await verify_voicemail_pin(deps, VOICEMAIL, "anna", pin)
        deps.hasher.release()
        answers = await asyncio.gather(*guesses, return_exceptions=True)

        assert sixth.value.problems[0].code == "PIN_LOCKED"
        assert {a.problems[0].code for a in answers if isinstance(a, DomainError)} == {
            "INVALID_PIN"
        }
        with pytest.raises(DomainError) as after:
            await verify_voicemail_pin(deps, VOICEMAIL, "anna", pin)
        assert after.value.problems[0].code == "PIN_LOCKED"
        locks = [e for e in deps.uow.audit_events if e.action == "VOICEMAIL_PIN_LOCKED"]
        assert len(locks) == 1

    async def test_a_right_pin_checked_alongside_wrong_ones_opens_and_clears_them(
        self, deps: FakeDeps
    ) -> None:
        anna_id, pin = await self.delivered(deps)
        deps.hasher.hold()
        wrong = [
            asyncio.create_task(verify_voicemail_pin(deps, VOICEMAIL, "anna", "000000"))
            for _ in range(4)
        ]
        right = asyncio.create_task(verify_voicemail_pin(deps, VOICEMAIL, "anna", pin))
        await deps.hasher.until_waiting(5)
        deps.hasher.release()

        await asyncio.gather(*wrong, return_exceptions=True)
        await right  # its try came before the wrong ones settled: it opens

        stored = deps.uow.data.users[anna_id]
        assert (stored.pin_failed_attempts, stored.pin_locked_until) == (0, None)

    async def test_no_pin_and_no_access_without_one(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        await given.user(deps, "anna", loc.id)
        assert await voicemail_remote_access(deps, VOICEMAIL, "anna") is (
            VoicemailAccessOutcome.NO_PIN
        )

    async def test_only_an_api_token_may_call(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        await given.user(deps, "anna", loc.id)
        with pytest.raises(Forbidden):
            await voicemail_remote_access(deps, ROOT, "anna")

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
        self, deps: FakeDeps
    ) -> None:
        await configure_gateway(deps)
        loc = await given.location(deps)
        with_mail = [
            await given.user(deps, f"user{n}", loc.id, email=f"user{n}@example.org")
            for n in range(19)  # more than two batches of 8
        ]
        no_mail = await given.user(deps, "nomail", loc.id)
        requested = [(str(u.id), u.id) for u in [*with_mail[:10], no_mail, *with_mail[10:]]]

        outcomes = await reset_users(deps, ROOT, requested, [ResetOption.PASSWORD])

        assert [o.key for o in outcomes] == [key for key, _ in requested]
        assert outcomes[10].actions[0].problems[0].code == "EMAIL_MISSING"
        mails = await queued(deps)
        assert sorted(m.target_user_id or 0 for m in mails) == sorted(u.id for u in with_mail)
        for mail in mails:
            stored = await given.stored_user(deps, mail.target_user_id or 0)
            assert stored is not None
            password = deps.secrets.decrypt(mail.secret_ciphertext or "")
            assert await deps.hasher.verify(stored.password_hash, password)

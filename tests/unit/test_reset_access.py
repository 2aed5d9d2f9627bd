"""The reset's unlock and expirePassword actions with the fakes
(domain/services/reset_access.py)."""

from __future__ import annotations

import pytest

from domain.errors import DomainError, NotAuthenticated
from domain.model import User, VoicemailPinState
from domain.principals import AdminPrincipal
from domain.services.reset import ResetOption, UserResetStatus
from tests.fakes import FakeServices
from tests.unit import given
from tests.unit.given import GOOD_PASSWORD, ROOT

VOICEMAIL = AdminPrincipal(admin_id=1, login="voicemail", location_ids=None, via_api_token=True)
PIN = "482913"


async def anna(services: FakeServices, **fields: object) -> User:
    loc = await given.location(services)
    return await given.user(
        services, "anna", loc.id, password=GOOD_PASSWORD, email="anna@example.org",
        voicemail_pin_hash=await services.hasher.hash(PIN),
        voicemail_pin_state=VoicemailPinState.SET, **fields,
    )  # fmt: skip


async def lock_both(services: FakeServices) -> None:
    for _ in range(10):
        with pytest.raises(DomainError):
            await services.auth.user_sign_in("anna", "Wrong-Password-1", "10.0.0.1")
    with pytest.raises(DomainError) as locked:
        await services.auth.user_sign_in("anna", GOOD_PASSWORD, "10.0.0.1")
    assert locked.value.problems[0].code == "TOO_MANY_ATTEMPTS"
    for _ in range(5):
        with pytest.raises(DomainError):
            await services.credentials.verify_voicemail_pin(VOICEMAIL, "anna", "000000")
    with pytest.raises(DomainError) as pin_locked:
        await services.credentials.verify_voicemail_pin(VOICEMAIL, "anna", PIN)
    assert pin_locked.value.problems[0].code == "PIN_LOCKED"


class TestUnlock:
    async def test_ends_the_sign_in_and_the_pin_lockout(self, services: FakeServices) -> None:
        user = await anna(services)
        await lock_both(services)

        [outcome] = await services.reset.reset_users(ROOT, [("a", user.id)], [ResetOption.UNLOCK])

        assert outcome.status is UserResetStatus.SUCCEEDED
        [action] = outcome.actions
        assert (action.option, action.done, action.changes) == (ResetOption.UNLOCK, True, 2)
        assert outcome.undo is None
        signed_in = await services.auth.user_sign_in("anna", GOOD_PASSWORD, "10.0.0.1")
        assert signed_in.token
        await services.credentials.verify_voicemail_pin(VOICEMAIL, "anna", PIN)

    async def test_the_dry_run_counts_and_changes_nothing(self, services: FakeServices) -> None:
        user = await anna(services)
        await lock_both(services)
        committed = services.uow.committed

        [dry] = await services.reset.reset_users(
            ROOT, [("a", user.id)], [ResetOption.UNLOCK], dry_run=True
        )

        assert services.uow.committed == committed
        assert [(a.option, a.changes) for a in dry.actions] == [(ResetOption.UNLOCK, 2)]
        with pytest.raises(DomainError):
            await services.auth.user_sign_in("anna", GOOD_PASSWORD, "10.0.0.1")

    async def test_nothing_locked_is_nothing_to_change(self, services: FakeServices) -> None:
        user = await anna(services, blocked=True)

        [outcome] = await services.reset.reset_users(ROOT, [("a", user.id)], [ResetOption.UNLOCK])

        # A blocked user is unlocked too: the block keeps it out on its own.
        assert outcome.status is UserResetStatus.SUCCEEDED
        assert outcome.actions[0].changes == 0


class TestExpirePassword:
    async def test_asks_for_a_change_ends_the_sessions_and_mails_nothing(
        self, services: FakeServices
    ) -> None:
        user = await anna(services)
        before = await services.auth.user_sign_in("anna", GOOD_PASSWORD)
        assert before.password_change_required is False

        [outcome] = await services.reset.reset_users(
            ROOT, [("a", user.id)], [ResetOption.EXPIRE_PASSWORD]
        )

        assert outcome.status is UserResetStatus.SUCCEEDED
        assert [(a.option, a.changes) for a in outcome.actions] == [
            (ResetOption.EXPIRE_PASSWORD, 1)
        ]
        assert outcome.undo is None
        assert services.uow.outbox_mails == []
        stored = await given.stored_user(services, user.id)
        assert stored is not None
        assert stored.password_hash == user.password_hash
        assert stored.temporary_password_expires_at is None
        with pytest.raises(NotAuthenticated):
            await services.auth.authenticate(before.token)
        after = await services.auth.user_sign_in("anna", GOOD_PASSWORD)
        assert after.password_change_required is True

    async def test_dry_run_changes_nothing_and_the_audit_names_both(
        self, services: FakeServices
    ) -> None:
        user = await anna(services)
        both = [ResetOption.EXPIRE_PASSWORD, ResetOption.UNLOCK]

        [dry] = await services.reset.reset_users(ROOT, [("a", user.id)], both, dry_run=True)
        stored = await given.stored_user(services, user.id)
        assert stored is not None
        assert stored.password_change_required is False
        await services.reset.reset_users(ROOT, [("a", user.id)], both)

        assert [a.option for a in dry.actions] == [
            ResetOption.UNLOCK, ResetOption.EXPIRE_PASSWORD,
        ]  # fmt: skip
        [event] = [e for e in services.uow.audit_events if e.action == "USER_RESET"]
        assert event.details["options"] == ["UNLOCK", "EXPIRE_PASSWORD"]
        assert event.details["actions"] == {
            "UNLOCK": {"done": True, "changes": 0, "errors": []},
            "EXPIRE_PASSWORD": {"done": True, "changes": 1, "errors": []},
        }

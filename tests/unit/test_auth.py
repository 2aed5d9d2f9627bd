"""Sign-in, throttling, bearer tokens, API tokens and password changes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from domain.errors import DomainError, Forbidden, NotAuthenticated
from domain.principals import SYSTEM, AdminPrincipal, Anonymous, UserPrincipal
from domain.services.administrators import NewAdministrator
from domain.services.auth import (
    Auth,
    token_digest,
)
from domain.services.users import UserChanges
from tests.fakes import FakeClock, FakeHasher, FakeServices
from tests.unit import given
from tests.unit.given import GOOD_PASSWORD, ROOT

NEW_PASSWORD = "Brand-New-Secret-9"


async def sign_in_error(services: FakeServices, login: str, password: str) -> DomainError:
    with pytest.raises(DomainError) as raised:
        await services.auth.user_sign_in(login, password)
    return raised.value


class TestUserSignIn:
    async def test_right_password_gives_a_working_token(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)

        signed_in = await services.auth.user_sign_in("anna", GOOD_PASSWORD)

        assert signed_in.password_change_required is False
        [session] = services.uow.data.sessions.values()
        assert await services.auth.authenticate(signed_in.token) == UserPrincipal(
            anna.id, "anna", False, session_id=session.id
        )

    async def test_only_the_token_hash_is_stored(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)

        signed_in = await services.auth.user_sign_in("anna", GOOD_PASSWORD)

        [session] = services.uow.data.sessions.values()
        assert session.token_hash == token_digest(signed_in.token)
        assert session.token_hash != signed_in.token

    async def test_wrong_password_and_unknown_login_look_the_same(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)

        wrong_password = await sign_in_error(services, "anna", "Wrong-Password-1")
        unknown_login = await sign_in_error(services, "nobody", GOOD_PASSWORD)

        assert wrong_password.problems == unknown_login.problems
        assert [p.code for p in wrong_password.problems] == ["INVALID_CREDENTIALS"]

    async def test_user_without_password_cannot_sign_in(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id)

        error = await sign_in_error(services, "anna", "")

        assert [p.code for p in error.problems] == ["INVALID_CREDENTIALS"]

    async def test_blocked_user_cannot_sign_in(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id, password=GOOD_PASSWORD, blocked=True)

        error = await sign_in_error(services, "anna", GOOD_PASSWORD)

        assert [p.code for p in error.problems] == ["ACCOUNT_BLOCKED"]
        assert services.uow.data.sessions == {}

    async def test_reports_required_password_change(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.user(
            services, "anna", loc.id, password=GOOD_PASSWORD, password_change_required=True
        )

        signed_in = await services.auth.user_sign_in("anna", GOOD_PASSWORD)

        assert signed_in.password_change_required is True
        principal = await services.auth.authenticate(signed_in.token)
        assert isinstance(principal, UserPrincipal)
        assert principal.password_change_required is True


class TestAdminSignIn:
    async def test_system_admin_signs_in(self, services: FakeServices) -> None:
        admin = await given.administrator(services, "root")

        signed_in = await services.auth.admin_sign_in("root", GOOD_PASSWORD)

        principal = await services.auth.authenticate(signed_in.token)
        assert isinstance(principal, AdminPrincipal)
        assert principal == AdminPrincipal(admin.id, "root", None, session_id=principal.session_id)
        assert principal.session_id is not None

    async def test_sub_admin_principal_carries_its_locations(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.administrator(services, "sub", location_ids=[loc.id])

        signed_in = await services.auth.admin_sign_in("sub", GOOD_PASSWORD)

        principal = await services.auth.authenticate(signed_in.token)
        assert isinstance(principal, AdminPrincipal)
        assert principal.location_ids == frozenset({loc.id})

    async def test_user_credentials_do_not_sign_in_an_admin(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)

        with pytest.raises(DomainError) as raised:
            await services.auth.admin_sign_in("anna", GOOD_PASSWORD)

        assert [p.code for p in raised.value.problems] == ["INVALID_CREDENTIALS"]

    async def test_blocked_admin_cannot_sign_in_and_its_tokens_stop_working(
        self, services: FakeServices
    ) -> None:
        admin = await given.administrator(services, "root")
        session = await services.auth.admin_sign_in("root", GOOD_PASSWORD)
        _, api_secret = await services.auth.create_api_token(
            AdminPrincipal(admin.id, "root", None), "crm"
        )

        services.uow.data.administrators[admin.id].blocked = True

        with pytest.raises(DomainError) as raised:
            await services.auth.admin_sign_in("root", GOOD_PASSWORD)
        assert [p.code for p in raised.value.problems] == ["ACCOUNT_BLOCKED"]
        with pytest.raises(NotAuthenticated):
            await services.auth.authenticate(session.token)
        with pytest.raises(NotAuthenticated):
            await services.auth.authenticate(api_secret)


class TestThrottling:
    async def fail(self, services: FakeServices, times: int) -> None:
        for _ in range(times):
            with pytest.raises(DomainError):
                await services.auth.user_sign_in("anna", "Wrong-Password-1")
            services.clock.advance(seconds=30)

    async def test_ten_failures_lock_out_even_the_right_password(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)
        await self.fail(services, 10)

        error = await sign_in_error(services, "anna", GOOD_PASSWORD)

        assert [p.code for p in error.problems] == ["TOO_MANY_ATTEMPTS"]

    async def test_nine_failures_do_not_lock_out(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)
        await self.fail(services, 9)

        assert (await services.auth.user_sign_in("anna", GOOD_PASSWORD)).token

    async def test_failures_spread_beyond_the_window_do_not_lock_out(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)
        for _ in range(10):
            with pytest.raises(DomainError):
                await services.auth.user_sign_in("anna", "Wrong-Password-1")
            services.clock.advance(minutes=2)

        assert (await services.auth.user_sign_in("anna", GOOD_PASSWORD)).token

    async def test_sign_in_works_again_after_the_lockout(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)
        await self.fail(services, 10)
        services.clock.advance(minutes=14)
        await sign_in_error(services, "anna", GOOD_PASSWORD)

        services.clock.advance(minutes=1)

        assert (await services.auth.user_sign_in("anna", GOOD_PASSWORD)).token
        assert services.uow.data.sign_in_failures == []

    async def test_unknown_logins_are_throttled_too(self, services: FakeServices) -> None:
        for _ in range(10):
            await sign_in_error(services, "ghost", "x")

        error = await sign_in_error(services, "ghost", "x")

        assert [p.code for p in error.problems] == ["TOO_MANY_ATTEMPTS"]

    async def test_lockout_of_a_user_does_not_lock_the_admin_of_that_login(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)
        await given.administrator(services, "anna")
        await self.fail(services, 10)

        assert (await services.auth.admin_sign_in("anna", GOOD_PASSWORD)).token


class TestLockoutWithoutDenialOfService:
    """Failures lock a login for the address they came from, never for everyone."""

    ATTACKER = "203.0.113.7"
    OWNER = "198.51.100.1"

    async def fail(self, auth: Auth, clock: FakeClock, times: int, client: str) -> None:
        for _ in range(times):
            with pytest.raises(DomainError):
                await auth.admin_sign_in("root", "Wrong-Password-1", client)
            clock.advance(seconds=10)

    def auth(self, services: FakeServices, pauses: list[float] | None = None) -> Auth:
        async def pause(seconds: float) -> None:
            if pauses is not None:
                pauses.append(seconds)

        return Auth(
            services.uow,
            services.clock,
            services.audit_trail,
            services.hasher,
            services.random,
            services.config,
            pause=pause,
        )

    async def test_the_owner_signs_in_while_a_stranger_is_locked_out(
        self, services: FakeServices
    ) -> None:
        await given.administrator(services, "root")
        auth = self.auth(services)
        await self.fail(auth, services.clock, 10, self.ATTACKER)

        with pytest.raises(DomainError) as refused:
            await auth.admin_sign_in("root", GOOD_PASSWORD, self.ATTACKER)
        assert [p.code for p in refused.value.problems] == ["TOO_MANY_ATTEMPTS"]
        assert (await auth.admin_sign_in("root", GOOD_PASSWORD, self.OWNER)).token

    async def test_each_lockout_in_a_row_lasts_twice_as_long(self, services: FakeServices) -> None:
        await given.administrator(services, "root")
        auth = self.auth(services)
        lockout = services.config.sign_in_lockout
        await self.fail(auth, services.clock, 10, self.ATTACKER)
        services.clock.advance(lockout)
        await self.fail(auth, services.clock, 10, self.ATTACKER)
        # The second lockout: twice the first.
        services.clock.advance(lockout + timedelta(minutes=1))
        with pytest.raises(DomainError) as refused:
            await auth.admin_sign_in("root", GOOD_PASSWORD, self.ATTACKER)
        assert [p.code for p in refused.value.problems] == ["TOO_MANY_ATTEMPTS"]
        services.clock.advance(lockout)
        assert (await auth.admin_sign_in("root", GOOD_PASSWORD, self.ATTACKER)).token

    async def test_past_the_logins_ceiling_every_attempt_is_slowed_not_refused(
        self, services: FakeServices
    ) -> None:
        await given.administrator(services, "root")
        pauses: list[float] = []
        auth = self.auth(services, pauses)
        ceiling = services.config.sign_in_login_ceiling
        for n in range(ceiling):
            # Many addresses, each below its own limit.
            with pytest.raises(DomainError):
                await auth.admin_sign_in("root", "Wrong-Password-1", f"10.0.{n // 5}.{n % 5}")
        assert pauses == []

        assert (await auth.admin_sign_in("root", GOOD_PASSWORD, self.OWNER)).token
        assert pauses == [services.config.sign_in_slowdown.total_seconds()]

    async def test_a_lockout_is_audited_and_the_command_line_lifts_it(
        self, services: FakeServices
    ) -> None:
        await given.administrator(services, "root")
        auth = self.auth(services)
        await self.fail(auth, services.clock, 10, self.ATTACKER)
        locked = [e for e in services.uow.audit_events if e.action == "SIGN_IN_LOCKED"]
        assert len(locked) == 1
        assert locked[0].details["client"] == self.ATTACKER
        assert locked[0].details["login"] == "root"

        assert await auth.unlock(SYSTEM, "root") == 1

        assert (await auth.admin_sign_in("root", GOOD_PASSWORD, self.ATTACKER)).token
        assert services.uow.audit_events[-1].action == "SIGN_IN_UNLOCKED"

    async def test_only_a_system_administrator_unlocks(self, services: FakeServices) -> None:
        sub = AdminPrincipal(admin_id=5, login="sub", location_ids=frozenset({1}))
        with pytest.raises(Forbidden):
            await self.auth(services).unlock(sub, "root")


class TestPurge:
    """A successful sign-in removes what can never count again."""

    async def test_expired_sessions_of_everybody_are_removed(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)
        await given.user(services, "bert", loc.id, password=GOOD_PASSWORD)
        await services.auth.user_sign_in("bert", GOOD_PASSWORD)
        services.clock.advance(services.config.session_ttl - timedelta(minutes=1))
        live = await services.auth.user_sign_in("bert", GOOD_PASSWORD)
        services.clock.advance(minutes=1)

        mine = await services.auth.user_sign_in("anna", GOOD_PASSWORD)

        assert {s.token_hash for s in services.uow.data.sessions.values()} == {
            token_digest(live.token),
            token_digest(mine.token),
        }

    async def test_failures_older_than_the_window_are_removed(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)
        await sign_in_error(services, "ghost", "x")
        services.clock.advance(minutes=1)
        await sign_in_error(services, "ghost", "x")
        relevant = services.config.sign_in_window
        services.clock.advance(relevant - timedelta(seconds=30))

        await services.auth.user_sign_in("anna", GOOD_PASSWORD)

        # The first failure is past the window; the second still counts.
        [(_, key, at, _)] = services.uow.data.sign_in_failures
        assert key == "USER:ghost"
        assert at == services.clock.now() - relevant + timedelta(seconds=30)

    async def test_a_refused_sign_in_purges_nothing(self, services: FakeServices) -> None:
        await sign_in_error(services, "ghost", "x")
        services.clock.advance(days=1)

        await sign_in_error(services, "ghost", "x")

        assert len(services.uow.data.sign_in_failures) == 2


class TestAuthenticate:
    async def test_no_token_is_anonymous(self, services: FakeServices) -> None:
        assert await services.auth.authenticate(None) == Anonymous()
        assert await services.auth.authenticate("") == Anonymous()

    @pytest.mark.parametrize("token", ["garbage", "cas_unknown", "cat_unknown"])
    async def test_unknown_token_is_not_authenticated(
        self, services: FakeServices, token: str
    ) -> None:
        with pytest.raises(NotAuthenticated):
            await services.auth.authenticate(token)

    async def test_expired_session_is_not_authenticated(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)
        signed_in = await services.auth.user_sign_in("anna", GOOD_PASSWORD)
        services.clock.advance(services.config.session_ttl - timedelta(seconds=1))
        assert isinstance(await services.auth.authenticate(signed_in.token), UserPrincipal)

        services.clock.advance(seconds=1)

        with pytest.raises(NotAuthenticated):
            await services.auth.authenticate(signed_in.token)

    async def test_blocked_user_tokens_stop_working(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)
        signed_in = await services.auth.user_sign_in("anna", GOOD_PASSWORD)

        await services.users.update_user(ROOT, UserChanges(id=anna.id, blocked=True))

        with pytest.raises(NotAuthenticated):
            await services.auth.authenticate(signed_in.token)

    async def test_deleted_user_tokens_stop_working(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)
        signed_in = await services.auth.user_sign_in("anna", GOOD_PASSWORD)

        async with services.uow as uow:
            await uow.users.delete(anna.id)
            await uow.commit()

        with pytest.raises(NotAuthenticated):
            await services.auth.authenticate(signed_in.token)


class TestApiTokens:
    async def test_secret_is_returned_once_and_stored_hashed(self, services: FakeServices) -> None:
        admin = await given.administrator(services, "root")
        actor = AdminPrincipal(admin.id, "root", None)

        token, secret = await services.auth.create_api_token(actor, "crm")

        stored = services.uow.data.api_tokens[token.id]
        assert stored.token_hash != secret
        assert secret not in stored.token_hash
        assert stored.token_hash == token_digest(secret)
        assert (await services.auth.get_api_token(actor, token.id)).token_hash == stored.token_hash

    async def test_token_carries_its_owner_rights(self, services: FakeServices) -> None:
        loc = await given.location(services)
        admin = await given.administrator(services, "sub", location_ids=[loc.id])
        actor = AdminPrincipal(admin.id, "sub", frozenset({loc.id}))
        _, secret = await services.auth.create_api_token(actor, "crm")

        principal = await services.auth.authenticate(secret)

        assert isinstance(principal, AdminPrincipal)
        assert principal.admin_id == admin.id
        assert principal.location_ids == frozenset({loc.id})
        assert principal.via_api_token is True
        assert principal.login == "sub (API token crm)"

    async def test_use_is_recorded(self, services: FakeServices) -> None:
        admin = await given.administrator(services, "root")
        token, secret = await services.auth.create_api_token(
            AdminPrincipal(admin.id, "root", None), "crm"
        )
        assert services.uow.data.api_tokens[token.id].last_used_at is None
        services.clock.advance(minutes=5)

        await services.auth.authenticate(secret)

        assert services.uow.data.api_tokens[token.id].last_used_at == services.clock.now()

    async def test_last_use_is_recorded_at_most_once_a_minute(self, services: FakeServices) -> None:
        admin = await given.administrator(services, "root")
        token, secret = await services.auth.create_api_token(
            AdminPrincipal(admin.id, "root", None), "crm"
        )
        await services.auth.authenticate(secret)
        first_use = services.clock.now()
        services.clock.advance(seconds=30)

        await services.auth.authenticate(secret)

        assert services.uow.data.api_tokens[token.id].last_used_at == first_use

    async def test_revoked_token_stops_working(self, services: FakeServices) -> None:
        admin = await given.administrator(services, "root")
        actor = AdminPrincipal(admin.id, "root", None)
        token, secret = await services.auth.create_api_token(actor, "crm")

        await services.auth.revoke_api_token(actor, token.id)

        with pytest.raises(NotAuthenticated):
            await services.auth.authenticate(secret)
        assert services.uow.data.api_tokens[token.id].revoked_at == services.clock.now()

    async def test_revoking_twice_changes_nothing(self, services: FakeServices) -> None:
        admin = await given.administrator(services, "root")
        actor = AdminPrincipal(admin.id, "root", None)
        token, _ = await services.auth.create_api_token(actor, "crm")
        await services.auth.revoke_api_token(actor, token.id)
        revoked_at = services.clock.now()
        services.clock.advance(hours=1)

        await services.auth.revoke_api_token(actor, token.id)

        assert services.uow.data.api_tokens[token.id].revoked_at == revoked_at

    async def test_an_api_token_cannot_make_api_tokens(self, services: FakeServices) -> None:
        admin = await given.administrator(services, "root")
        _, secret = await services.auth.create_api_token(
            AdminPrincipal(admin.id, "root", None), "a"
        )
        via_token = await services.auth.authenticate(secret)

        with pytest.raises(Forbidden):
            await services.auth.create_api_token(via_token, "b")

    async def test_another_sub_admin_token_is_not_found(self, services: FakeServices) -> None:
        loc = await given.location(services)
        owner = await given.administrator(services, "owner", location_ids=[loc.id])
        other = await given.administrator(services, "other", location_ids=[loc.id])
        token, _ = await services.auth.create_api_token(
            AdminPrincipal(owner.id, "owner", frozenset({loc.id})), "crm"
        )
        stranger = AdminPrincipal(other.id, "other", frozenset({loc.id}))

        with pytest.raises(DomainError) as raised:
            await services.auth.revoke_api_token(stranger, token.id)

        assert [p.code for p in raised.value.problems] == ["API_TOKEN_NOT_FOUND"]
        assert services.uow.data.api_tokens[token.id].revoked_at is None


class TestListApiTokens:
    async def test_system_admin_sees_all_others_their_own(self, services: FakeServices) -> None:
        loc = await given.location(services)
        root = await given.administrator(services, "root")
        sub = await given.administrator(services, "sub", location_ids=[loc.id])
        other = await given.administrator(services, "other", location_ids=[loc.id])
        root_actor = AdminPrincipal(root.id, "root", None)
        sub_actor = AdminPrincipal(sub.id, "sub", frozenset({loc.id}))
        crm, _ = await services.auth.create_api_token(root_actor, "crm")
        _, sub_secret = await services.auth.create_api_token(sub_actor, "voicemail")
        await services.auth.revoke_api_token(root_actor, crm.id)

        everything = await services.auth.list_api_tokens(root_actor)
        own = await services.auth.list_api_tokens(sub_actor)
        via_token = await services.auth.list_api_tokens(
            await services.auth.authenticate(sub_secret)
        )
        none = await services.auth.list_api_tokens(
            AdminPrincipal(other.id, "other", frozenset({loc.id}))
        )

        assert [(t.name, t.revoked_at is not None) for t in everything] == [
            ("crm", True),
            ("voicemail", False),
        ]
        assert [t.name for t in own] == [t.name for t in via_token] == ["voicemail"]
        assert none == []

    async def test_users_and_anonymous_may_not_list(self, services: FakeServices) -> None:
        with pytest.raises(Forbidden):
            await services.auth.list_api_tokens(UserPrincipal(1, "anna", False))
        with pytest.raises(NotAuthenticated):
            await services.auth.list_api_tokens(Anonymous())


class TestChangeMyPassword:
    async def test_ends_the_other_sessions_but_keeps_the_calling_one(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)
        bert = await given.user(services, "bert", loc.id, password=GOOD_PASSWORD)
        laptop = await services.auth.user_sign_in("anna", GOOD_PASSWORD)
        phone = await services.auth.user_sign_in("anna", GOOD_PASSWORD)
        colleague = await services.auth.user_sign_in("bert", GOOD_PASSWORD)
        caller = await services.auth.authenticate(laptop.token)

        await services.auth.change_my_password(caller, GOOD_PASSWORD, NEW_PASSWORD)

        assert await services.auth.authenticate(laptop.token) == caller
        with pytest.raises(NotAuthenticated):
            await services.auth.authenticate(phone.token)
        assert isinstance(await services.auth.authenticate(colleague.token), UserPrincipal)
        assert services.uow.audit_events[-1].details == {"other_sessions_ended": 1}
        assert {s.subject_id for s in services.uow.data.sessions.values()} == {anna.id, bert.id}

    async def test_changes_password_and_clears_the_flag(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(
            services, "anna", loc.id, password=GOOD_PASSWORD, password_change_required=True
        )

        await services.auth.change_my_password(
            given.as_user(anna, pending=True), GOOD_PASSWORD, NEW_PASSWORD
        )

        stored = await given.stored_user(services, anna.id)
        assert stored is not None
        assert stored.password_change_required is False
        assert (
            await services.auth.user_sign_in("anna", NEW_PASSWORD)
        ).password_change_required is False
        await sign_in_error(services, "anna", GOOD_PASSWORD)

    async def test_wrong_current_password_is_refused(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)

        with pytest.raises(DomainError) as raised:
            await services.auth.change_my_password(
                given.as_user(anna), "Not-It-123456", NEW_PASSWORD
            )

        assert [(p.code, p.field) for p in raised.value.problems] == [
            ("INVALID_CREDENTIALS", ("currentPassword",))
        ]

    async def test_new_password_follows_the_location_policy(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)

        with pytest.raises(DomainError) as raised:
            await services.auth.change_my_password(given.as_user(anna), GOOD_PASSWORD, "weak")

        assert [(p.code, p.field) for p in raised.value.problems] == [
            ("PASSWORD_POLICY", ("newPassword",))
        ]

    async def test_new_password_must_differ(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)

        with pytest.raises(DomainError) as raised:
            await services.auth.change_my_password(
                given.as_user(anna), GOOD_PASSWORD, GOOD_PASSWORD
            )

        assert [p.code for p in raised.value.problems] == ["PASSWORD_UNCHANGED"]

    async def test_passwords_are_checked_and_hashed_outside_the_transaction(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)

        await services.auth.change_my_password(given.as_user(anna), GOOD_PASSWORD, NEW_PASSWORD)

        assert (services.hasher.verified, services.hasher.hashed) == (
            1,
            2,
        )  # one hash by given.user
        assert services.hasher.during_writes == 0

    async def test_a_password_set_meanwhile_is_not_overwritten(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)
        services.hasher.hold()
        change = asyncio.create_task(
            services.auth.change_my_password(given.as_user(anna), GOOD_PASSWORD, NEW_PASSWORD)
        )
        await services.hasher.until_waiting(1)
        # An administrator sets another password while the current one is checked.
        set_meanwhile = FakeHasher.PREFIX + "Set-By-Admin-42"
        services.uow.data.users[anna.id].password_hash = set_meanwhile
        services.hasher.release()

        with pytest.raises(DomainError) as raised:
            await change
        assert [p.code for p in raised.value.problems] == ["INVALID_CREDENTIALS"]
        assert services.uow.data.users[anna.id].password_hash == set_meanwhile

    async def test_of_two_changes_at_once_only_one_succeeds(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)
        services.hasher.hold()
        tabs = [
            asyncio.create_task(
                services.auth.change_my_password(given.as_user(anna), GOOD_PASSWORD, new)
            )
            for new in (NEW_PASSWORD, "Other-New-Secret-8")
        ]
        await services.hasher.until_waiting(2)
        services.hasher.release()

        outcomes = await asyncio.gather(*tabs, return_exceptions=True)

        refused = [o for o in outcomes if isinstance(o, DomainError)]
        assert [p.code for o in refused for p in o.problems] == ["INVALID_CREDENTIALS"]
        winner = NEW_PASSWORD if outcomes[0] is None else "Other-New-Secret-8"
        assert (await services.auth.user_sign_in("anna", winner)).token

    async def test_an_api_token_changes_no_password(self, services: FakeServices) -> None:
        with pytest.raises(Forbidden):
            await services.auth.change_my_password(
                AdminPrincipal(1, "root (API token crm)", None, via_api_token=True),
                GOOD_PASSWORD,
                NEW_PASSWORD,
            )

    async def test_anonymous_is_not_authenticated(self, services: FakeServices) -> None:
        with pytest.raises(NotAuthenticated):
            await services.auth.change_my_password(Anonymous(), GOOD_PASSWORD, NEW_PASSWORD)


class TestAnAdministratorsTemporaryPassword:
    async def test_one_made_by_another_changes_it_before_anything_else(
        self, services: FakeServices
    ) -> None:
        await given.administrator(services, "root")
        root = await services.auth.authenticate(
            (await services.auth.admin_sign_in("root", GOOD_PASSWORD)).token
        )
        await services.administrators.create_administrator(
            root, NewAdministrator(login="ida", password=GOOD_PASSWORD, last_name="Koch")
        )
        other = await services.auth.admin_sign_in("ida", GOOD_PASSWORD)
        first = await services.auth.admin_sign_in("ida", GOOD_PASSWORD)
        ida = await services.auth.authenticate(first.token)

        assert first.password_change_required is True
        with pytest.raises(Forbidden):
            await services.administrators.list_administrators(ida)
        assert (await services.administrators.viewer(ida)).login == "ida"
        with pytest.raises(DomainError) as weak:
            await services.auth.change_my_password(ida, GOOD_PASSWORD, "short")
        assert [p.code for p in weak.value.problems] == ["PASSWORD_POLICY"]

        await services.auth.change_my_password(ida, GOOD_PASSWORD, NEW_PASSWORD)

        again = await services.auth.admin_sign_in("ida", NEW_PASSWORD)
        assert again.password_change_required is False
        changed = await services.auth.authenticate(again.token)
        assert [a.login for a in await services.administrators.list_administrators(changed)]
        # Whoever signed in with the temporary password is signed out; this session stays.
        with pytest.raises(NotAuthenticated):
            await services.auth.authenticate(other.token)
        assert isinstance(await services.auth.authenticate(first.token), AdminPrincipal)

    async def test_the_command_lines_is_not_temporary(self, services: FakeServices) -> None:
        await services.administrators.create_administrator(
            SYSTEM, NewAdministrator(login="root", password=GOOD_PASSWORD, last_name="Root")
        )

        signed_in = await services.auth.admin_sign_in("root", GOOD_PASSWORD)

        assert signed_in.password_change_required is False

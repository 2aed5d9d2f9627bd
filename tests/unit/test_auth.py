"""Sign-in, throttling, bearer tokens, API tokens and password changes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from domain.errors import DomainError, Forbidden, NotAuthenticated
from domain.principals import AdminPrincipal, Anonymous, UserPrincipal
from domain.services.auth import (
    admin_sign_in,
    authenticate,
    change_my_password,
    create_api_token,
    get_api_token,
    list_api_tokens,
    revoke_api_token,
    token_digest,
    user_sign_in,
)
from domain.services.users import UserChanges, update_user
from tests.fakes import FakeDeps, FakeHasher
from tests.unit import given
from tests.unit.given import GOOD_PASSWORD, ROOT

NEW_PASSWORD = "Brand-New-Secret-9"


async def sign_in_error(deps: FakeDeps, login: str, password: str) -> DomainError:
    with pytest.raises(DomainError) as raised:
        await user_sign_in(deps, login, password)
    return raised.value


class TestUserSignIn:
    async def test_right_password_gives_a_working_token(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD)

        signed_in = await user_sign_in(deps, "anna", GOOD_PASSWORD)

        assert signed_in.password_change_required is False
        [session] = deps.uow.data.sessions.values()
        assert await authenticate(deps, signed_in.token) == UserPrincipal(
            anna.id, "anna", False, session_id=session.id
        )

    async def test_only_the_token_hash_is_stored(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD)

        signed_in = await user_sign_in(deps, "anna", GOOD_PASSWORD)

        [session] = deps.uow.data.sessions.values()
        assert session.token_hash == token_digest(signed_in.token)
        assert session.token_hash != signed_in.token

    async def test_wrong_password_and_unknown_login_look_the_same(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD)

        wrong_password = await sign_in_error(deps, "anna", "Wrong-Password-1")
        unknown_login = await sign_in_error(deps, "nobody", GOOD_PASSWORD)

        assert wrong_password.problems == unknown_login.problems
        assert [p.code for p in wrong_password.problems] == ["INVALID_CREDENTIALS"]

    async def test_user_without_password_cannot_sign_in(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        await given.user(deps, "anna", loc.id)

        error = await sign_in_error(deps, "anna", "")

        assert [p.code for p in error.problems] == ["INVALID_CREDENTIALS"]

    async def test_blocked_user_cannot_sign_in(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD, blocked=True)

        error = await sign_in_error(deps, "anna", GOOD_PASSWORD)

        assert [p.code for p in error.problems] == ["ACCOUNT_BLOCKED"]
        assert deps.uow.data.sessions == {}

    async def test_reports_required_password_change(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        await given.user(
            deps, "anna", loc.id, password=GOOD_PASSWORD, password_change_required=True
        )

        signed_in = await user_sign_in(deps, "anna", GOOD_PASSWORD)

        assert signed_in.password_change_required is True
        principal = await authenticate(deps, signed_in.token)
        assert isinstance(principal, UserPrincipal)
        assert principal.password_change_required is True


class TestAdminSignIn:
    async def test_system_admin_signs_in(self, deps: FakeDeps) -> None:
        admin = await given.administrator(deps, "root")

        signed_in = await admin_sign_in(deps, "root", GOOD_PASSWORD)

        principal = await authenticate(deps, signed_in.token)
        assert principal == AdminPrincipal(admin.id, "root", None)

    async def test_sub_admin_principal_carries_its_locations(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        await given.administrator(deps, "sub", location_ids=[loc.id])

        signed_in = await admin_sign_in(deps, "sub", GOOD_PASSWORD)

        principal = await authenticate(deps, signed_in.token)
        assert isinstance(principal, AdminPrincipal)
        assert principal.location_ids == frozenset({loc.id})

    async def test_user_credentials_do_not_sign_in_an_admin(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD)

        with pytest.raises(DomainError) as raised:
            await admin_sign_in(deps, "anna", GOOD_PASSWORD)

        assert [p.code for p in raised.value.problems] == ["INVALID_CREDENTIALS"]

    async def test_blocked_admin_cannot_sign_in_and_its_tokens_stop_working(
        self, deps: FakeDeps
    ) -> None:
        admin = await given.administrator(deps, "root")
        session = await admin_sign_in(deps, "root", GOOD_PASSWORD)
        _, api_secret = await create_api_token(deps, AdminPrincipal(admin.id, "root", None), "crm")

        deps.uow.data.administrators[admin.id].blocked = True

        with pytest.raises(DomainError) as raised:
            await admin_sign_in(deps, "root", GOOD_PASSWORD)
        assert [p.code for p in raised.value.problems] == ["ACCOUNT_BLOCKED"]
        with pytest.raises(NotAuthenticated):
            await authenticate(deps, session.token)
        with pytest.raises(NotAuthenticated):
            await authenticate(deps, api_secret)


class TestThrottling:
    async def fail(self, deps: FakeDeps, times: int) -> None:
        for _ in range(times):
            with pytest.raises(DomainError):
                await user_sign_in(deps, "anna", "Wrong-Password-1")
            deps.clock.advance(seconds=30)

    async def test_ten_failures_lock_out_even_the_right_password(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD)
        await self.fail(deps, 10)

        error = await sign_in_error(deps, "anna", GOOD_PASSWORD)

        assert [p.code for p in error.problems] == ["TOO_MANY_ATTEMPTS"]

    async def test_nine_failures_do_not_lock_out(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD)
        await self.fail(deps, 9)

        assert (await user_sign_in(deps, "anna", GOOD_PASSWORD)).token

    async def test_failures_spread_beyond_the_window_do_not_lock_out(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD)
        for _ in range(10):
            with pytest.raises(DomainError):
                await user_sign_in(deps, "anna", "Wrong-Password-1")
            deps.clock.advance(minutes=2)

        assert (await user_sign_in(deps, "anna", GOOD_PASSWORD)).token

    async def test_sign_in_works_again_after_the_lockout(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD)
        await self.fail(deps, 10)
        deps.clock.advance(minutes=14)
        await sign_in_error(deps, "anna", GOOD_PASSWORD)

        deps.clock.advance(minutes=1)

        assert (await user_sign_in(deps, "anna", GOOD_PASSWORD)).token
        assert deps.uow.data.sign_in_failures == []

    async def test_unknown_logins_are_throttled_too(self, deps: FakeDeps) -> None:
        for _ in range(10):
            await sign_in_error(deps, "ghost", "x")

        error = await sign_in_error(deps, "ghost", "x")

        assert [p.code for p in error.problems] == ["TOO_MANY_ATTEMPTS"]

    async def test_lockout_of_a_user_does_not_lock_the_admin_of_that_login(
        self, deps: FakeDeps
    ) -> None:
        loc = await given.location(deps)
        await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD)
        await given.administrator(deps, "anna")
        await self.fail(deps, 10)

        assert (await admin_sign_in(deps, "anna", GOOD_PASSWORD)).token


class TestPurge:
    """A successful sign-in removes what can never count again."""

    async def test_expired_sessions_of_everybody_are_removed(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD)
        await given.user(deps, "bert", loc.id, password=GOOD_PASSWORD)
        await user_sign_in(deps, "bert", GOOD_PASSWORD)
        deps.clock.advance(deps.config.session_ttl - timedelta(minutes=1))
        live = await user_sign_in(deps, "bert", GOOD_PASSWORD)
        deps.clock.advance(minutes=1)

        mine = await user_sign_in(deps, "anna", GOOD_PASSWORD)

        assert {s.token_hash for s in deps.uow.data.sessions.values()} == {
            token_digest(live.token),
            token_digest(mine.token),
        }

    async def test_failures_older_than_window_and_lockout_are_removed(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD)
        await sign_in_error(deps, "ghost", "x")
        deps.clock.advance(minutes=1)
        await sign_in_error(deps, "ghost", "x")
        relevant = deps.config.sign_in_window + deps.config.sign_in_lockout
        deps.clock.advance(relevant - timedelta(seconds=30))

        await user_sign_in(deps, "anna", GOOD_PASSWORD)

        # The first failure is past window + lockout; the second still counts.
        [(_, key, at)] = deps.uow.data.sign_in_failures
        assert key == "USER:ghost"
        assert at == deps.clock.now() - relevant + timedelta(seconds=30)

    async def test_a_refused_sign_in_purges_nothing(self, deps: FakeDeps) -> None:
        await sign_in_error(deps, "ghost", "x")
        deps.clock.advance(days=1)

        await sign_in_error(deps, "ghost", "x")

        assert len(deps.uow.data.sign_in_failures) == 2


class TestAuthenticate:
    async def test_no_token_is_anonymous(self, deps: FakeDeps) -> None:
        assert await authenticate(deps, None) == Anonymous()
        assert await authenticate(deps, "") == Anonymous()

    @pytest.mark.parametrize("token", ["garbage", "cas_unknown", "cat_unknown"])
    async def test_unknown_token_is_not_authenticated(self, deps: FakeDeps, token: str) -> None:
        with pytest.raises(NotAuthenticated):
            await authenticate(deps, token)

    async def test_expired_session_is_not_authenticated(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD)
        signed_in = await user_sign_in(deps, "anna", GOOD_PASSWORD)
        deps.clock.advance(deps.config.session_ttl - timedelta(seconds=1))
        assert isinstance(await authenticate(deps, signed_in.token), UserPrincipal)

        deps.clock.advance(seconds=1)

        with pytest.raises(NotAuthenticated):
            await authenticate(deps, signed_in.token)

    async def test_blocked_user_tokens_stop_working(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD)
        signed_in = await user_sign_in(deps, "anna", GOOD_PASSWORD)

        await update_user(deps, ROOT, UserChanges(id=anna.id, blocked=True))

        with pytest.raises(NotAuthenticated):
            await authenticate(deps, signed_in.token)

    async def test_deleted_user_tokens_stop_working(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD)
        signed_in = await user_sign_in(deps, "anna", GOOD_PASSWORD)

        async with deps.uow as uow:
            await uow.users.delete(anna.id)
            await uow.commit()

        with pytest.raises(NotAuthenticated):
            await authenticate(deps, signed_in.token)


class TestApiTokens:
    async def test_secret_is_returned_once_and_stored_hashed(self, deps: FakeDeps) -> None:
        admin = await given.administrator(deps, "root")
        actor = AdminPrincipal(admin.id, "root", None)

        token, secret = await create_api_token(deps, actor, "crm")

        stored = deps.uow.data.api_tokens[token.id]
        assert stored.token_hash != secret
        assert secret not in stored.token_hash
        assert stored.token_hash == token_digest(secret)
        assert (await get_api_token(deps, actor, token.id)).token_hash == stored.token_hash

    async def test_token_carries_its_owner_rights(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        admin = await given.administrator(deps, "sub", location_ids=[loc.id])
        actor = AdminPrincipal(admin.id, "sub", frozenset({loc.id}))
        _, secret = await create_api_token(deps, actor, "crm")

        principal = await authenticate(deps, secret)

        assert isinstance(principal, AdminPrincipal)
        assert principal.admin_id == admin.id
        assert principal.location_ids == frozenset({loc.id})
        assert principal.via_api_token is True
        assert principal.login == "sub (API token crm)"

    async def test_use_is_recorded(self, deps: FakeDeps) -> None:
        admin = await given.administrator(deps, "root")
        token, secret = await create_api_token(deps, AdminPrincipal(admin.id, "root", None), "crm")
        assert deps.uow.data.api_tokens[token.id].last_used_at is None
        deps.clock.advance(minutes=5)

        await authenticate(deps, secret)

        assert deps.uow.data.api_tokens[token.id].last_used_at == deps.clock.now()

    async def test_last_use_is_recorded_at_most_once_a_minute(self, deps: FakeDeps) -> None:
        admin = await given.administrator(deps, "root")
        token, secret = await create_api_token(deps, AdminPrincipal(admin.id, "root", None), "crm")
        await authenticate(deps, secret)
        first_use = deps.clock.now()
        deps.clock.advance(seconds=30)

        await authenticate(deps, secret)

        assert deps.uow.data.api_tokens[token.id].last_used_at == first_use

    async def test_revoked_token_stops_working(self, deps: FakeDeps) -> None:
        admin = await given.administrator(deps, "root")
        actor = AdminPrincipal(admin.id, "root", None)
        token, secret = await create_api_token(deps, actor, "crm")

        await revoke_api_token(deps, actor, token.id)

        with pytest.raises(NotAuthenticated):
            await authenticate(deps, secret)
        assert deps.uow.data.api_tokens[token.id].revoked_at == deps.clock.now()

    async def test_revoking_twice_changes_nothing(self, deps: FakeDeps) -> None:
        admin = await given.administrator(deps, "root")
        actor = AdminPrincipal(admin.id, "root", None)
        token, _ = await create_api_token(deps, actor, "crm")
        await revoke_api_token(deps, actor, token.id)
        revoked_at = deps.clock.now()
        deps.clock.advance(hours=1)

        await revoke_api_token(deps, actor, token.id)

        assert deps.uow.data.api_tokens[token.id].revoked_at == revoked_at

    async def test_an_api_token_cannot_make_api_tokens(self, deps: FakeDeps) -> None:
        admin = await given.administrator(deps, "root")
        _, secret = await create_api_token(deps, AdminPrincipal(admin.id, "root", None), "a")
        via_token = await authenticate(deps, secret)

        with pytest.raises(Forbidden):
            await create_api_token(deps, via_token, "b")

    async def test_another_sub_admin_token_is_not_found(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        owner = await given.administrator(deps, "owner", location_ids=[loc.id])
        other = await given.administrator(deps, "other", location_ids=[loc.id])
        token, _ = await create_api_token(
            deps, AdminPrincipal(owner.id, "owner", frozenset({loc.id})), "crm"
        )
        stranger = AdminPrincipal(other.id, "other", frozenset({loc.id}))

        with pytest.raises(DomainError) as raised:
            await revoke_api_token(deps, stranger, token.id)

        assert [p.code for p in raised.value.problems] == ["API_TOKEN_NOT_FOUND"]
        assert deps.uow.data.api_tokens[token.id].revoked_at is None


class TestListApiTokens:
    async def test_system_admin_sees_all_others_their_own(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        root = await given.administrator(deps, "root")
        sub = await given.administrator(deps, "sub", location_ids=[loc.id])
        other = await given.administrator(deps, "other", location_ids=[loc.id])
        root_actor = AdminPrincipal(root.id, "root", None)
        sub_actor = AdminPrincipal(sub.id, "sub", frozenset({loc.id}))
        crm, _ = await create_api_token(deps, root_actor, "crm")
        _, sub_secret = await create_api_token(deps, sub_actor, "voicemail")
        await revoke_api_token(deps, root_actor, crm.id)

        everything = await list_api_tokens(deps, root_actor)
        own = await list_api_tokens(deps, sub_actor)
        via_token = await list_api_tokens(deps, await authenticate(deps, sub_secret))
        none = await list_api_tokens(deps, AdminPrincipal(other.id, "other", frozenset({loc.id})))

        assert [(t.name, t.revoked_at is not None) for t in everything] == [
            ("crm", True),
            ("voicemail", False),
        ]
        assert [t.name for t in own] == [t.name for t in via_token] == ["voicemail"]
        assert none == []

    async def test_users_and_anonymous_may_not_list(self, deps: FakeDeps) -> None:
        with pytest.raises(Forbidden):
            await list_api_tokens(deps, UserPrincipal(1, "anna", False))
        with pytest.raises(NotAuthenticated):
            await list_api_tokens(deps, Anonymous())


class TestChangeMyPassword:
    async def test_ends_the_other_sessions_but_keeps_the_calling_one(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD)
        bert = await given.user(deps, "bert", loc.id, password=GOOD_PASSWORD)
        laptop = await user_sign_in(deps, "anna", GOOD_PASSWORD)
        phone = await user_sign_in(deps, "anna", GOOD_PASSWORD)
        colleague = await user_sign_in(deps, "bert", GOOD_PASSWORD)
        caller = await authenticate(deps, laptop.token)

        await change_my_password(deps, caller, GOOD_PASSWORD, NEW_PASSWORD)

        assert await authenticate(deps, laptop.token) == caller
        with pytest.raises(NotAuthenticated):
            await authenticate(deps, phone.token)
        assert isinstance(await authenticate(deps, colleague.token), UserPrincipal)
        assert deps.uow.audit_events[-1].details == {"other_sessions_ended": 1}
        assert {s.subject_id for s in deps.uow.data.sessions.values()} == {anna.id, bert.id}

    async def test_changes_password_and_clears_the_flag(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        anna = await given.user(
            deps, "anna", loc.id, password=GOOD_PASSWORD, password_change_required=True
        )

        await change_my_password(
            deps, given.as_user(anna, pending=True), GOOD_PASSWORD, NEW_PASSWORD
        )

        stored = await given.stored_user(deps, anna.id)
        assert stored is not None
        assert stored.password_change_required is False
        assert (await user_sign_in(deps, "anna", NEW_PASSWORD)).password_change_required is False
        await sign_in_error(deps, "anna", GOOD_PASSWORD)

    async def test_wrong_current_password_is_refused(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD)

        with pytest.raises(DomainError) as raised:
            await change_my_password(deps, given.as_user(anna), "Not-It-123456", NEW_PASSWORD)

        assert [(p.code, p.field) for p in raised.value.problems] == [
            ("INVALID_CREDENTIALS", ("currentPassword",))
        ]

    async def test_new_password_follows_the_location_policy(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD)

        with pytest.raises(DomainError) as raised:
            await change_my_password(deps, given.as_user(anna), GOOD_PASSWORD, "weak")

        assert [(p.code, p.field) for p in raised.value.problems] == [
            ("PASSWORD_POLICY", ("newPassword",))
        ]

    async def test_new_password_must_differ(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD)

        with pytest.raises(DomainError) as raised:
            await change_my_password(deps, given.as_user(anna), GOOD_PASSWORD, GOOD_PASSWORD)

        assert [p.code for p in raised.value.problems] == ["PASSWORD_UNCHANGED"]

    async def test_passwords_are_checked_and_hashed_outside_the_transaction(
        self, deps: FakeDeps
    ) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD)

        await change_my_password(deps, given.as_user(anna), GOOD_PASSWORD, NEW_PASSWORD)

        assert (deps.hasher.verified, deps.hasher.hashed) == (1, 2)  # one hash by given.user
        assert deps.hasher.during_writes == 0

    async def test_a_password_set_meanwhile_is_not_overwritten(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD)
        deps.hasher.hold()
        change = asyncio.create_task(
            change_my_password(deps, given.as_user(anna), GOOD_PASSWORD, NEW_PASSWORD)
        )
        await deps.hasher.until_waiting(1)
        # An administrator sets another password while the current one is checked.
        set_meanwhile = FakeHasher.PREFIX + "Set-By-Admin-42"
        deps.uow.data.users[anna.id].password_hash = set_meanwhile
        deps.hasher.release()

        with pytest.raises(DomainError) as raised:
            await change
        assert [p.code for p in raised.value.problems] == ["INVALID_CREDENTIALS"]
        assert deps.uow.data.users[anna.id].password_hash == set_meanwhile

    async def test_of_two_changes_at_once_only_one_succeeds(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id, password=GOOD_PASSWORD)
        deps.hasher.hold()
        tabs = [
            asyncio.create_task(change_my_password(deps, given.as_user(anna), GOOD_PASSWORD, new))
            for new in (NEW_PASSWORD, "Other-New-Secret-8")
        ]
        await deps.hasher.until_waiting(2)
        deps.hasher.release()

        outcomes = await asyncio.gather(*tabs, return_exceptions=True)

        refused = [o for o in outcomes if isinstance(o, DomainError)]
        assert [p.code for o in refused for p in o.problems] == ["INVALID_CREDENTIALS"]
        winner = NEW_PASSWORD if outcomes[0] is None else "Other-New-Secret-8"
        assert (await user_sign_in(deps, "anna", winner)).token

    async def test_administrators_cannot_use_it(self, deps: FakeDeps) -> None:
        with pytest.raises(Forbidden):
            await change_my_password(deps, ROOT, GOOD_PASSWORD, NEW_PASSWORD)

    async def test_anonymous_is_not_authenticated(self, deps: FakeDeps) -> None:
        with pytest.raises(NotAuthenticated):
            await change_my_password(deps, Anonymous(), GOOD_PASSWORD, NEW_PASSWORD)

"""Administrators: system administrators make, block, unblock and delete them, signed
in; a sub-administrator sees itself."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable
from dataclasses import replace

import pytest

from domain.errors import DomainError, Forbidden, NotAuthenticated
from domain.model import Administrator
from domain.principals import AdminPrincipal
from domain.services import auth
from domain.services.administrators import (
    NewAdministrator,
    block_administrator,
    create_administrator,
    delete_administrator,
    get_administrator,
    list_administrators,
    unblock_administrator,
)
from tests.fakes import FakeDeps
from tests.unit import given
from tests.unit.given import GOOD_PASSWORD, ROOT, sub_admin


def codes(error: DomainError) -> list[tuple[str, tuple[str, ...] | None]]:
    return [(p.code, p.field) for p in error.problems]


class TestCreateAdministrator:
    async def test_creates_sub_admin_with_hashed_password(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)

        admin = await create_administrator(
            deps,
            ROOT,
            NewAdministrator(
                login="sub", password=GOOD_PASSWORD, last_name="Sub", location_ids=[loc.id]
            ),
        )

        stored = deps.uow.data.administrators[admin.id]
        assert stored.location_ids == frozenset({loc.id})
        assert not stored.is_system
        assert stored.password_hash != GOOD_PASSWORD
        assert await deps.hasher.verify(stored.password_hash, GOOD_PASSWORD)

    async def test_the_password_is_hashed_outside_the_transaction(self, deps: FakeDeps) -> None:
        await create_administrator(
            deps, ROOT, NewAdministrator(login="root2", password=GOOD_PASSWORD, last_name="R")
        )

        assert (deps.hasher.hashed, deps.hasher.during_writes) == (1, 0)

    async def test_no_locations_makes_a_system_admin(self, deps: FakeDeps) -> None:
        admin = await create_administrator(
            deps, ROOT, NewAdministrator(login="root2", password=GOOD_PASSWORD, last_name="R")
        )

        assert admin.is_system

    async def test_login_must_be_unique(self, deps: FakeDeps) -> None:
        await given.administrator(deps, "root")

        with pytest.raises(DomainError) as raised:
            await create_administrator(
                deps, ROOT, NewAdministrator(login="root", password=GOOD_PASSWORD, last_name="R")
            )

        assert codes(raised.value) == [("LOGIN_TAKEN", ("login",))]

    async def test_unknown_location_is_named_by_index(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)

        with pytest.raises(DomainError) as raised:
            await create_administrator(
                deps,
                ROOT,
                NewAdministrator(
                    login="sub", password=GOOD_PASSWORD, last_name="S", location_ids=[loc.id, 77]
                ),
            )

        assert codes(raised.value) == [("LOCATION_NOT_FOUND", ("locationIds", "1"))]

    async def test_password_follows_the_default_policy(self, deps: FakeDeps) -> None:
        with pytest.raises(DomainError) as raised:
            await create_administrator(
                deps, ROOT, NewAdministrator(login="x", password="weak", last_name="X")
            )

        assert codes(raised.value) == [("PASSWORD_POLICY", ("password",))]

    async def test_sub_admin_is_forbidden(self, deps: FakeDeps) -> None:
        with pytest.raises(Forbidden):
            await create_administrator(
                deps,
                sub_admin(1),
                NewAdministrator(login="x", password=GOOD_PASSWORD, last_name="X"),
            )


class TestReadAdministrators:
    async def test_system_admin_lists_all_by_login(self, deps: FakeDeps) -> None:
        await given.administrator(deps, "zoe")
        await given.administrator(deps, "adam")

        assert [a.login for a in await list_administrators(deps, ROOT)] == ["adam", "zoe"]

    async def test_sub_admin_sees_only_itself(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        root = await given.administrator(deps, "root")
        sub = await given.administrator(deps, "sub", location_ids=[loc.id])
        me = AdminPrincipal(sub.id, "sub", frozenset({loc.id}))

        assert [a.login for a in await list_administrators(deps, me)] == ["sub"]
        assert (await get_administrator(deps, me, sub.id)).login == "sub"
        with pytest.raises(DomainError) as raised:
            await get_administrator(deps, me, root.id)
        assert codes(raised.value) == [("ADMINISTRATOR_NOT_FOUND", None)]


def signed_in(admin: Administrator) -> AdminPrincipal:
    return AdminPrincipal(admin.id, admin.login, None if admin.is_system else admin.location_ids)


def via_token(admin: Administrator) -> AdminPrincipal:
    return replace(signed_in(admin), via_api_token=True)


class TestApiTokensManageNoAdministrators:
    """A token that leaks must not be able to make a credential that outlives it."""

    @pytest.mark.parametrize(
        "call",
        [
            lambda d, a, t: create_administrator(
                d, a, NewAdministrator(login="x", password=GOOD_PASSWORD, last_name="X")
            ),
            lambda d, a, t: block_administrator(d, a, t),
            lambda d, a, t: unblock_administrator(d, a, t),
            lambda d, a, t: delete_administrator(d, a, t),
            lambda d, a, t: auth.create_api_token(d, a, "more"),
        ],
        ids=["create", "block", "unblock", "delete", "create_api_token"],
    )
    async def test_a_system_administrators_token_is_forbidden(
        self, deps: FakeDeps, call: Callable[[FakeDeps, AdminPrincipal, int], Awaitable[object]]
    ) -> None:
        root = await given.administrator(deps, "root")
        other = await given.administrator(deps, "other")
        before = copy.deepcopy(deps.uow.data)

        with pytest.raises(Forbidden):
            await call(deps, via_token(root), other.id)

        assert deps.uow.data == before

    async def test_a_token_revokes_no_token(self, deps: FakeDeps) -> None:
        root = await given.administrator(deps, "root")
        token, _ = await auth.create_api_token(deps, signed_in(root), "crm")

        with pytest.raises(Forbidden):
            await auth.revoke_api_token(deps, via_token(root), token.id)

        assert deps.uow.data.api_tokens[token.id].revoked_at is None


class TestBlockAdministrator:
    async def test_ends_sessions_and_tokens_for_good(self, deps: FakeDeps) -> None:
        root = await given.administrator(deps, "root")
        other = await given.administrator(deps, "other")
        session = await auth.admin_sign_in(deps, "other", GOOD_PASSWORD)
        _, secret = await auth.create_api_token(deps, signed_in(other), "crm")

        blocked = await block_administrator(deps, signed_in(root), other.id)
        await unblock_administrator(deps, signed_in(root), other.id)

        assert blocked.blocked
        assert not deps.uow.data.administrators[other.id].blocked
        for token in (session.token, secret):
            with pytest.raises(NotAuthenticated):
                await auth.authenticate(deps, token)
        assert [t.revoked_at for t in deps.uow.data.api_tokens.values()] == [deps.clock.now()]
        # Unblocked, it signs in anew.
        again = await auth.admin_sign_in(deps, "other", GOOD_PASSWORD)
        assert isinstance(await auth.authenticate(deps, again.token), AdminPrincipal)

    async def test_a_blocked_administrator_cannot_sign_in(self, deps: FakeDeps) -> None:
        root = await given.administrator(deps, "root")
        other = await given.administrator(deps, "other")

        await block_administrator(deps, signed_in(root), other.id)

        with pytest.raises(DomainError) as raised:
            await auth.admin_sign_in(deps, "other", GOOD_PASSWORD)
        assert codes(raised.value) == [("ACCOUNT_BLOCKED", None)]

    async def test_is_audited_without_secrets(self, deps: FakeDeps) -> None:
        root = await given.administrator(deps, "root")
        other = await given.administrator(deps, "other")
        await auth.admin_sign_in(deps, "other", GOOD_PASSWORD)

        await block_administrator(deps, signed_in(root), other.id)
        await unblock_administrator(deps, signed_in(root), other.id)

        events = [(e.actor, e.action, e.details) for e in deps.uow.data.audit.values()]
        assert events == [
            (
                "root",
                "ADMINISTRATOR_BLOCKED",
                {
                    "administrator_id": other.id,
                    "login": "other",
                    "sessions_ended": 1,
                    "api_tokens_revoked": 0,
                },
            ),
            ("root", "ADMINISTRATOR_UNBLOCKED", {"administrator_id": other.id, "login": "other"}),
        ]

    async def test_blocking_or_unblocking_twice_changes_nothing(self, deps: FakeDeps) -> None:
        root = await given.administrator(deps, "root")
        other = await given.administrator(deps, "other")
        await block_administrator(deps, signed_in(root), other.id)

        again = await block_administrator(deps, signed_in(root), other.id)
        await unblock_administrator(deps, signed_in(root), other.id)
        await unblock_administrator(deps, signed_in(root), other.id)

        assert again.blocked
        assert [e.action for e in deps.uow.data.audit.values()] == [
            "ADMINISTRATOR_BLOCKED",
            "ADMINISTRATOR_UNBLOCKED",
        ]

    async def test_a_sub_administrator_may_be_blocked(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        root = await given.administrator(deps, "root")
        sub = await given.administrator(deps, "sub", location_ids=[loc.id])

        assert (await block_administrator(deps, signed_in(root), sub.id)).blocked

    async def test_a_sign_in_under_way_makes_no_session_once_blocked(self, deps: FakeDeps) -> None:
        root = await given.administrator(deps, "root")
        other = await given.administrator(deps, "other")
        deps.hasher.hold()
        signing_in = asyncio.create_task(auth.admin_sign_in(deps, "other", GOOD_PASSWORD))
        await deps.hasher.until_waiting(1)

        await block_administrator(deps, signed_in(root), other.id)
        deps.hasher.release()

        with pytest.raises(DomainError) as raised:
            await signing_in
        assert codes(raised.value) == [("ACCOUNT_BLOCKED", None)]
        assert deps.uow.data.sessions == {}

    async def test_a_token_made_by_a_session_of_a_blocked_administrator_is_refused(
        self, deps: FakeDeps
    ) -> None:
        """The caller was authenticated before the block committed."""
        root = await given.administrator(deps, "root")
        other = await given.administrator(deps, "other")
        await block_administrator(deps, signed_in(root), other.id)

        with pytest.raises(NotAuthenticated):
            await auth.create_api_token(deps, signed_in(other), "late")

        assert deps.uow.data.api_tokens == {}


class TestDeleteAdministrator:
    async def test_takes_its_sessions_and_tokens_along(self, deps: FakeDeps) -> None:
        root = await given.administrator(deps, "root")
        other = await given.administrator(deps, "other")
        session = await auth.admin_sign_in(deps, "other", GOOD_PASSWORD)
        _, secret = await auth.create_api_token(deps, signed_in(other), "crm")

        await delete_administrator(deps, signed_in(root), other.id)

        assert list(deps.uow.data.administrators) == [root.id]
        assert deps.uow.data.api_tokens == {}
        for token in (session.token, secret):
            with pytest.raises(NotAuthenticated):
                await auth.authenticate(deps, token)
        with pytest.raises(DomainError) as raised:
            await auth.admin_sign_in(deps, "other", GOOD_PASSWORD)
        assert codes(raised.value) == [("INVALID_CREDENTIALS", None)]
        assert [e.action for e in deps.uow.data.audit.values()][-1] == "ADMINISTRATOR_DELETED"

    async def test_a_blocked_system_administrator_may_be_deleted(self, deps: FakeDeps) -> None:
        root = await given.administrator(deps, "root")
        other = await given.administrator(deps, "other", blocked=True)

        await delete_administrator(deps, signed_in(root), other.id)

        assert list(deps.uow.data.administrators) == [root.id]

    async def test_unknown_is_not_found(self, deps: FakeDeps) -> None:
        root = await given.administrator(deps, "root")

        for call in (block_administrator, unblock_administrator, delete_administrator):
            with pytest.raises(DomainError) as raised:
                await call(deps, signed_in(root), 99)
            assert codes(raised.value) == [("ADMINISTRATOR_NOT_FOUND", ("id",))]


class TestAdministratorsStay:
    @pytest.mark.parametrize("call", [block_administrator, delete_administrator])
    async def test_not_oneself(
        self,
        deps: FakeDeps,
        call: Callable[[FakeDeps, AdminPrincipal, int], Awaitable[object]],
    ) -> None:
        root = await given.administrator(deps, "root")
        await given.administrator(deps, "other")

        with pytest.raises(DomainError) as raised:
            await call(deps, signed_in(root), root.id)

        assert codes(raised.value) == [("OWN_ACCOUNT", ("id",))]
        assert not deps.uow.data.administrators[root.id].blocked

    @pytest.mark.parametrize("call", [block_administrator, delete_administrator])
    async def test_not_the_last_unblocked_system_administrator(
        self,
        deps: FakeDeps,
        call: Callable[[FakeDeps, AdminPrincipal, int], Awaitable[object]],
    ) -> None:
        """Here the caller is a system administrator blocked since it signed in."""
        root = await given.administrator(deps, "root")
        gone = await given.administrator(deps, "gone", blocked=True)
        await given.administrator(deps, "sub", location_ids=[(await given.location(deps)).id])

        with pytest.raises(DomainError) as raised:
            await call(deps, signed_in(gone), root.id)

        assert codes(raised.value) == [("LAST_SYSTEM_ADMINISTRATOR", ("id",))]
        assert root.id in deps.uow.data.administrators
        assert not deps.uow.data.administrators[root.id].blocked

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
from domain.services.administrators import Administrators, NewAdministrator
from tests.fakes import FakeServices
from tests.unit import given
from tests.unit.given import GOOD_PASSWORD, ROOT, sub_admin


def codes(error: DomainError) -> list[tuple[str, tuple[str, ...] | None]]:
    return [(p.code, p.field) for p in error.problems]


class TestCreateAdministrator:
    async def test_creates_sub_admin_with_hashed_password(self, services: FakeServices) -> None:
        loc = await given.location(services)

        admin = await services.administrators.create_administrator(
            ROOT,
            NewAdministrator(
                login="sub", password=GOOD_PASSWORD, last_name="Sub", location_ids=[loc.id]
            ),
        )

        stored = services.uow.data.administrators[admin.id]
        assert stored.location_ids == frozenset({loc.id})
        assert not stored.is_system
        assert stored.password_hash != GOOD_PASSWORD
        assert await services.hasher.verify(stored.password_hash, GOOD_PASSWORD)

    async def test_the_password_is_hashed_outside_the_transaction(
        self, services: FakeServices
    ) -> None:
        await services.administrators.create_administrator(
            ROOT, NewAdministrator(login="root2", password=GOOD_PASSWORD, last_name="R")
        )

        assert (services.hasher.hashed, services.hasher.during_writes) == (1, 0)

    async def test_no_locations_makes_a_system_admin(self, services: FakeServices) -> None:
        admin = await services.administrators.create_administrator(
            ROOT, NewAdministrator(login="root2", password=GOOD_PASSWORD, last_name="R")
        )

        assert admin.is_system

    async def test_login_must_be_unique(self, services: FakeServices) -> None:
        await given.administrator(services, "root")

        with pytest.raises(DomainError) as raised:
            await services.administrators.create_administrator(
                ROOT, NewAdministrator(login="root", password=GOOD_PASSWORD, last_name="R")
            )

        assert codes(raised.value) == [("LOGIN_TAKEN", ("login",))]

    async def test_unknown_location_is_named_by_index(self, services: FakeServices) -> None:
        loc = await given.location(services)

        with pytest.raises(DomainError) as raised:
            await services.administrators.create_administrator(
                ROOT,
                NewAdministrator(
                    login="sub", password=GOOD_PASSWORD, last_name="S", location_ids=[loc.id, 77]
                ),
            )

        assert codes(raised.value) == [("LOCATION_NOT_FOUND", ("locationIds", "1"))]

    async def test_password_follows_the_default_policy(self, services: FakeServices) -> None:
        with pytest.raises(DomainError) as raised:
            await services.administrators.create_administrator(
                ROOT, NewAdministrator(login="x", password="weak", last_name="X")
            )

        assert codes(raised.value) == [("PASSWORD_POLICY", ("password",))]

    async def test_sub_admin_is_forbidden(self, services: FakeServices) -> None:
        with pytest.raises(Forbidden):
            await services.administrators.create_administrator(
                sub_admin(1),
                NewAdministrator(login="x", password=GOOD_PASSWORD, last_name="X"),
            )


class TestReadAdministrators:
    async def test_system_admin_lists_all_by_login(self, services: FakeServices) -> None:
        await given.administrator(services, "zoe")
        await given.administrator(services, "adam")

        assert [a.login for a in await services.administrators.list_administrators(ROOT)] == [
            "adam",
            "zoe",
        ]

    async def test_sub_admin_sees_only_itself(self, services: FakeServices) -> None:
        loc = await given.location(services)
        root = await given.administrator(services, "root")
        sub = await given.administrator(services, "sub", location_ids=[loc.id])
        me = AdminPrincipal(sub.id, "sub", frozenset({loc.id}))

        assert [a.login for a in await services.administrators.list_administrators(me)] == ["sub"]
        assert (await services.administrators.get_administrator(me, sub.id)).login == "sub"
        with pytest.raises(DomainError) as raised:
            await services.administrators.get_administrator(me, root.id)
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
            lambda d, a, t: d.administrators.create_administrator(
                a, NewAdministrator(login="x", password=GOOD_PASSWORD, last_name="X")
            ),
            lambda d, a, t: d.administrators.block_administrator(a, t),
            lambda d, a, t: d.administrators.unblock_administrator(a, t),
            lambda d, a, t: d.administrators.delete_administrator(a, t),
            lambda d, a, t: d.auth.create_api_token(a, "more"),
        ],
        ids=["create", "block", "unblock", "delete", "create_api_token"],
    )
    async def test_a_system_administrators_token_is_forbidden(
        self,
        services: FakeServices,
        call: Callable[[FakeServices, AdminPrincipal, int], Awaitable[object]],
    ) -> None:
        root = await given.administrator(services, "root")
        other = await given.administrator(services, "other")
        before = copy.deepcopy(services.uow.data)

        with pytest.raises(Forbidden):
            await call(services, via_token(root), other.id)

        assert services.uow.data == before

    async def test_a_token_revokes_no_token(self, services: FakeServices) -> None:
        root = await given.administrator(services, "root")
        token, _ = await services.auth.create_api_token(signed_in(root), "crm")

        with pytest.raises(Forbidden):
            await services.auth.revoke_api_token(via_token(root), token.id)

        assert services.uow.data.api_tokens[token.id].revoked_at is None


class TestBlockAdministrator:
    async def test_ends_sessions_and_tokens_for_good(self, services: FakeServices) -> None:
        root = await given.administrator(services, "root")
        other = await given.administrator(services, "other")
        session = await services.auth.admin_sign_in("other", GOOD_PASSWORD)
        _, secret = await services.auth.create_api_token(signed_in(other), "crm")

        blocked = await services.administrators.block_administrator(signed_in(root), other.id)
        await services.administrators.unblock_administrator(signed_in(root), other.id)

        assert blocked.blocked
        assert not services.uow.data.administrators[other.id].blocked
        for token in (session.token, secret):
            with pytest.raises(NotAuthenticated):
                await services.auth.authenticate(token)
        assert [t.revoked_at for t in services.uow.data.api_tokens.values()] == [
            services.clock.now()
        ]
        # Unblocked, it signs in anew.
        again = await services.auth.admin_sign_in("other", GOOD_PASSWORD)
        assert isinstance(await services.auth.authenticate(again.token), AdminPrincipal)

    async def test_a_blocked_administrator_cannot_sign_in(self, services: FakeServices) -> None:
        root = await given.administrator(services, "root")
        other = await given.administrator(services, "other")

        await services.administrators.block_administrator(signed_in(root), other.id)

        with pytest.raises(DomainError) as raised:
            await services.auth.admin_sign_in("other", GOOD_PASSWORD)
        assert codes(raised.value) == [("ACCOUNT_BLOCKED", None)]

    async def test_is_audited_without_secrets(self, services: FakeServices) -> None:
        root = await given.administrator(services, "root")
        other = await given.administrator(services, "other")
        await services.auth.admin_sign_in("other", GOOD_PASSWORD)

        await services.administrators.block_administrator(signed_in(root), other.id)
        await services.administrators.unblock_administrator(signed_in(root), other.id)

        events = [(e.actor, e.action, e.details) for e in services.uow.data.audit.values()]
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

    async def test_blocking_or_unblocking_twice_changes_nothing(
        self, services: FakeServices
    ) -> None:
        root = await given.administrator(services, "root")
        other = await given.administrator(services, "other")
        await services.administrators.block_administrator(signed_in(root), other.id)

        again = await services.administrators.block_administrator(signed_in(root), other.id)
        await services.administrators.unblock_administrator(signed_in(root), other.id)
        await services.administrators.unblock_administrator(signed_in(root), other.id)

        assert again.blocked
        assert [e.action for e in services.uow.data.audit.values()] == [
            "ADMINISTRATOR_BLOCKED",
            "ADMINISTRATOR_UNBLOCKED",
        ]

    async def test_a_sub_administrator_may_be_blocked(self, services: FakeServices) -> None:
        loc = await given.location(services)
        root = await given.administrator(services, "root")
        sub = await given.administrator(services, "sub", location_ids=[loc.id])

        assert (await services.administrators.block_administrator(signed_in(root), sub.id)).blocked

    async def test_a_sign_in_under_way_makes_no_session_once_blocked(
        self, services: FakeServices
    ) -> None:
        root = await given.administrator(services, "root")
        other = await given.administrator(services, "other")
        services.hasher.hold()
        signing_in = asyncio.create_task(services.auth.admin_sign_in("other", GOOD_PASSWORD))
        await services.hasher.until_waiting(1)

        await services.administrators.block_administrator(signed_in(root), other.id)
        services.hasher.release()

        with pytest.raises(DomainError) as raised:
            await signing_in
        assert codes(raised.value) == [("ACCOUNT_BLOCKED", None)]
        assert services.uow.data.sessions == {}

    async def test_a_token_made_by_a_session_of_a_blocked_administrator_is_refused(
        self, services: FakeServices
    ) -> None:
        """The caller was authenticated before the block committed."""
        root = await given.administrator(services, "root")
        other = await given.administrator(services, "other")
        await services.administrators.block_administrator(signed_in(root), other.id)

        with pytest.raises(NotAuthenticated):
            await services.auth.create_api_token(signed_in(other), "late")

        assert services.uow.data.api_tokens == {}


class TestDeleteAdministrator:
    async def test_takes_its_sessions_and_tokens_along(self, services: FakeServices) -> None:
        root = await given.administrator(services, "root")
        other = await given.administrator(services, "other")
        session = await services.auth.admin_sign_in("other", GOOD_PASSWORD)
        _, secret = await services.auth.create_api_token(signed_in(other), "crm")

        await services.administrators.delete_administrator(signed_in(root), other.id)

        assert list(services.uow.data.administrators) == [root.id]
        assert services.uow.data.api_tokens == {}
        for token in (session.token, secret):
            with pytest.raises(NotAuthenticated):
                await services.auth.authenticate(token)
        with pytest.raises(DomainError) as raised:
            await services.auth.admin_sign_in("other", GOOD_PASSWORD)
        assert codes(raised.value) == [("INVALID_CREDENTIALS", None)]
        assert [e.action for e in services.uow.data.audit.values()][-1] == "ADMINISTRATOR_DELETED"

    async def test_a_blocked_system_administrator_may_be_deleted(
        self, services: FakeServices
    ) -> None:
        root = await given.administrator(services, "root")
        other = await given.administrator(services, "other", blocked=True)

        await services.administrators.delete_administrator(signed_in(root), other.id)

        assert list(services.uow.data.administrators) == [root.id]

    async def test_unknown_is_not_found(self, services: FakeServices) -> None:
        root = await given.administrator(services, "root")

        for call in (
            Administrators.block_administrator,
            Administrators.unblock_administrator,
            Administrators.delete_administrator,
        ):
            with pytest.raises(DomainError) as raised:
                await call(services.administrators, signed_in(root), 99)
            assert codes(raised.value) == [("ADMINISTRATOR_NOT_FOUND", ("id",))]


class TestAdministratorsStay:
    @pytest.mark.parametrize(
        "call", [Administrators.block_administrator, Administrators.delete_administrator]
    )
    async def test_not_oneself(
        self,
        services: FakeServices,
        call: Callable[[Administrators, AdminPrincipal, int], Awaitable[object]],
    ) -> None:
        root = await given.administrator(services, "root")
        await given.administrator(services, "other")

        with pytest.raises(DomainError) as raised:
            await call(services.administrators, signed_in(root), root.id)

        assert codes(raised.value) == [("OWN_ACCOUNT", ("id",))]
        assert not services.uow.data.administrators[root.id].blocked

    @pytest.mark.parametrize(
        "call", [Administrators.block_administrator, Administrators.delete_administrator]
    )
    async def test_not_the_last_unblocked_system_administrator(
        self,
        services: FakeServices,
        call: Callable[[Administrators, AdminPrincipal, int], Awaitable[object]],
    ) -> None:
        """Here the caller is a system administrator blocked since it signed in."""
        root = await given.administrator(services, "root")
        gone = await given.administrator(services, "gone", blocked=True)
        await given.administrator(
            services, "sub", location_ids=[(await given.location(services)).id]
        )

        with pytest.raises(DomainError) as raised:
            await call(services.administrators, signed_in(gone), root.id)

        assert codes(raised.value) == [("LAST_SYSTEM_ADMINISTRATOR", ("id",))]
        assert root.id in services.uow.data.administrators
        assert not services.uow.data.administrators[root.id].blocked

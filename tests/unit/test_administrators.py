"""Administrators: system administrators make them; a sub-administrator sees itself."""

from __future__ import annotations

import pytest

from connect_admin.domain.errors import DomainError, Forbidden
from connect_admin.domain.principals import AdminPrincipal
from connect_admin.domain.services.administrators import (
    NewAdministrator,
    create_administrator,
    get_administrator,
    list_administrators,
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

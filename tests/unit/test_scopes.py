"""Who may do what: sub-administrator scopes, user and anonymous principals."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from domain.errors import DomainError, Forbidden, NotAuthenticated
from domain.principals import Anonymous, Principal, UserPrincipal
from domain.services import (
    administrators,
    audit,
    data_sources,
    groups,
    locations,
    teams,
    users,
)
from domain.services.auth import create_api_token
from domain.services.me import me, set_my_client_setting
from domain.services.paging import PageRequest
from tests.fakes import FakeDeps
from tests.unit import given
from tests.unit.given import GOOD_PASSWORD, ROOT, sub_admin

Call = Callable[[FakeDeps, Principal], Awaitable[Any]]

ADMIN_CALLS: dict[str, Call] = {
    "users_page": lambda d, a: users.users_page(d, a, PageRequest(10), users.UserFilter()),
    "get_user": lambda d, a: users.get_user(d, a, 1),
    "create_user": lambda d, a: users.create_user(
        d, a, users.NewUser(login="x", last_name="X", location_id=1)
    ),
    "update_user": lambda d, a: users.update_user(d, a, users.UserChanges(id=1, last_name="Y")),
    "delete_user": lambda d, a: users.delete_user(d, a, 1),
    "list_locations": lambda d, a: locations.list_locations(d, a),
    "create_location": lambda d, a: locations.create_location(d, a, locations.NewLocation("X")),
    "create_group": lambda d, a: groups.create_group(
        d, a, groups.NewConfigurationGroup(location_id=1, name="G")
    ),
    "list_teams": lambda d, a: teams.list_teams(d, a),
    "create_team": lambda d, a: teams.create_team(d, a, teams.NewTeam("T", [1])),
    "list_data_sources": lambda d, a: data_sources.list_data_sources(d, a),
    "list_administrators": lambda d, a: administrators.list_administrators(d, a),
    "create_administrator": lambda d, a: administrators.create_administrator(
        d, a, administrators.NewAdministrator("x", GOOD_PASSWORD, "X")
    ),
    "audit_events": lambda d, a: audit.audit_events(d, a, PageRequest(10), None),
    "create_api_token": lambda d, a: create_api_token(d, a, "t"),
    "block_administrator": lambda d, a: administrators.block_administrator(d, a, 1),
    "unblock_administrator": lambda d, a: administrators.unblock_administrator(d, a, 1),
    "delete_administrator": lambda d, a: administrators.delete_administrator(d, a, 1),
}


async def two_locations(deps: FakeDeps) -> tuple[int, int]:
    """Berlin (id 1) with anna (user 1); Munich (id 2) with carl (user 2)."""
    berlin = await given.location(deps, "Berlin")
    munich = await given.location(deps, "Munich")
    await given.user(deps, "anna", berlin.id)
    await given.user(deps, "carl", munich.id)
    return berlin.id, munich.id


# A Connect Client user may look up a colleague (get_user); nothing else here.
USER_REFUSED = {name: call for name, call in ADMIN_CALLS.items() if name != "get_user"}


class TestUserPrincipal:
    @pytest.mark.parametrize("call", USER_REFUSED.values(), ids=USER_REFUSED.keys())
    async def test_cannot_call_admin_services(self, deps: FakeDeps, call: Call) -> None:
        await two_locations(deps)

        with pytest.raises(Forbidden):
            await call(deps, UserPrincipal(2, "carl", False))

    async def test_cannot_look_up_colleagues_while_a_password_change_is_due(
        self, deps: FakeDeps
    ) -> None:
        await two_locations(deps)

        with pytest.raises(Forbidden):
            await users.get_user(deps, UserPrincipal(2, "carl", True), 1)


class TestPrivateData:
    """Contacts, relationships and settings: a user's own business and its admins'."""

    async def test_a_user_sees_its_own_private_data_only(self, deps: FakeDeps) -> None:
        berlin, _ = await two_locations(deps)
        bob = await given.user(deps, "bob", berlin)
        anna = await users.get_user(deps, ROOT, 1)
        carl = await users.get_user(deps, ROOT, 2)

        assert users.sees_private(given.as_user(anna), anna)
        assert users.sees_user(given.as_user(anna), bob)
        assert not users.sees_private(given.as_user(anna), bob)
        assert not users.sees_private(given.as_user(anna), carl)
        assert users.sees_private(given.as_user(anna, pending=True), anna)

    async def test_administrators_see_private_data_within_their_scope(self, deps: FakeDeps) -> None:
        berlin, _ = await two_locations(deps)
        anna = await users.get_user(deps, ROOT, 1)
        carl = await users.get_user(deps, ROOT, 2)

        assert users.sees_private(ROOT, anna)
        assert users.sees_private(ROOT, carl)
        assert users.sees_private(sub_admin(berlin), anna)
        assert not users.sees_private(sub_admin(berlin), carl)
        assert not users.sees_private(Anonymous(), anna)


class TestAnonymous:
    @pytest.mark.parametrize("call", ADMIN_CALLS.values(), ids=ADMIN_CALLS.keys())
    async def test_is_not_authenticated_for_admin_services(
        self, deps: FakeDeps, call: Call
    ) -> None:
        await two_locations(deps)

        with pytest.raises(NotAuthenticated):
            await call(deps, Anonymous())

    async def test_is_not_authenticated_for_self_service(self, deps: FakeDeps) -> None:
        with pytest.raises(NotAuthenticated):
            await set_my_client_setting(deps, Anonymous(), "k", 1)
        with pytest.raises(NotAuthenticated):
            await me(deps, Anonymous())


class TestSubAdministratorScope:
    async def not_found(self, call: Awaitable[Any]) -> list[tuple[str, tuple[str, ...] | None]]:
        with pytest.raises(DomainError) as raised:
            await call
        return [(p.code, p.field) for p in raised.value.problems]

    async def test_users_outside_are_not_found(self, deps: FakeDeps) -> None:
        berlin, _ = await two_locations(deps)
        actor = sub_admin(berlin)

        assert await self.not_found(users.get_user(deps, actor, 2)) == [("USER_NOT_FOUND", None)]
        assert await self.not_found(
            users.update_user(deps, actor, users.UserChanges(id=2, last_name="Z"))
        ) == [("USER_NOT_FOUND", ("id",))]
        assert await self.not_found(users.delete_user(deps, actor, 2)) == [
            ("USER_NOT_FOUND", ("id",))
        ]
        assert 2 in deps.uow.data.users

    async def test_outside_and_missing_give_the_same_answer(self, deps: FakeDeps) -> None:
        berlin, _ = await two_locations(deps)
        actor = sub_admin(berlin)

        outside = await self.not_found(users.get_user(deps, actor, 2))
        missing = await self.not_found(users.get_user(deps, actor, 99))

        assert outside == missing

    async def test_pages_leave_outside_users_out(self, deps: FakeDeps) -> None:
        berlin, _ = await two_locations(deps)

        page = await users.users_page(deps, sub_admin(berlin), PageRequest(10), users.UserFilter())

        assert ([u.login for u in page.items], page.total) == (["anna"], 1)

    async def test_cannot_create_users_in_other_locations(self, deps: FakeDeps) -> None:
        berlin, munich = await two_locations(deps)

        assert await self.not_found(
            users.create_user(
                deps, sub_admin(berlin), users.NewUser(login="x", last_name="X", location_id=munich)
            )
        ) == [("LOCATION_NOT_FOUND", ("locationId",))]

    async def test_cannot_move_users_out_of_its_locations(self, deps: FakeDeps) -> None:
        berlin, munich = await two_locations(deps)

        assert await self.not_found(
            users.update_user(deps, sub_admin(berlin), users.UserChanges(id=1, location_id=munich))
        ) == [("LOCATION_NOT_FOUND", ("locationId",))]
        assert deps.uow.data.users[1].location_id == berlin

    async def test_groups_outside_are_not_found(self, deps: FakeDeps) -> None:
        berlin, munich = await two_locations(deps)
        grp = await given.group(deps, munich)
        actor = sub_admin(berlin)

        assert await self.not_found(groups.get_group(deps, actor, grp.id)) == [
            ("CONFIGURATION_GROUP_NOT_FOUND", None)
        ]
        assert await self.not_found(groups.delete_group(deps, actor, grp.id)) == [
            ("CONFIGURATION_GROUP_NOT_FOUND", ("id",))
        ]
        assert await self.not_found(
            groups.create_group(deps, actor, groups.NewConfigurationGroup(munich, "G"))
        ) == [("LOCATION_NOT_FOUND", ("locationId",))]
        assert await groups.groups_of_locations(deps, actor, [berlin, munich]) == {}

    async def test_teams_outside_are_not_found(self, deps: FakeDeps) -> None:
        berlin, _ = await two_locations(deps)
        team = await given.team(deps, [2], name="Munich team")
        actor = sub_admin(berlin)

        assert await self.not_found(teams.get_team(deps, actor, team.id)) == [
            ("TEAM_NOT_FOUND", None)
        ]
        assert await self.not_found(
            teams.update_team(deps, actor, teams.TeamChanges(id=team.id, name="X"))
        ) == [("TEAM_NOT_FOUND", ("id",))]
        assert await self.not_found(teams.delete_team(deps, actor, team.id)) == [
            ("TEAM_NOT_FOUND", ("id",))
        ]
        assert await teams.list_teams(deps, actor) == []

    async def test_mixed_team_is_seen_but_not_changed(self, deps: FakeDeps) -> None:
        berlin, _ = await two_locations(deps)
        team = await given.team(deps, [1, 2], name="Mixed")
        actor = sub_admin(berlin)

        assert (await teams.get_team(deps, actor, team.id)).name == "Mixed"
        assert await self.not_found(teams.delete_team(deps, actor, team.id)) == [
            ("TEAM_NOT_FOUND", ("id",))
        ]

    async def test_members_outside_are_not_found(self, deps: FakeDeps) -> None:
        berlin, _ = await two_locations(deps)

        assert await self.not_found(
            teams.create_team(deps, sub_admin(berlin), teams.NewTeam("T", [1, 2]))
        ) == [("USER_NOT_FOUND", ("memberIds", "1"))]

    @pytest.mark.parametrize(
        "call",
        [
            lambda d, a: locations.create_location(d, a, locations.NewLocation("X")),
            lambda d, a: locations.delete_location(d, a, 1),
            lambda d, a: administrators.create_administrator(
                d, a, administrators.NewAdministrator("x", GOOD_PASSWORD, "X")
            ),
            lambda d, a: data_sources.create_data_source(d, a, "LDAP"),
            lambda d, a: administrators.block_administrator(d, a, 1),
            lambda d, a: administrators.unblock_administrator(d, a, 1),
            lambda d, a: administrators.delete_administrator(d, a, 1),
        ],
        ids=[
            "create_location",
            "delete_location",
            "create_administrator",
            "create_data_source",
            "block_administrator",
            "unblock_administrator",
            "delete_administrator",
        ],
    )
    async def test_system_only_services_are_forbidden(self, deps: FakeDeps, call: Call) -> None:
        berlin, _ = await two_locations(deps)

        with pytest.raises(Forbidden):
            await call(deps, sub_admin(berlin))

    async def test_system_admin_sees_everything(self, deps: FakeDeps) -> None:
        await two_locations(deps)

        page = await users.users_page(deps, ROOT, PageRequest(10), users.UserFilter())

        assert page.total == 2

"""Who may do what: sub-administrator scopes, user and anonymous principals."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from domain import visibility
from domain.errors import DomainError, Forbidden, NotAuthenticated
from domain.principals import Anonymous, Principal, UserPrincipal
from domain.services import (
    administrators,
    groups,
    locations,
    teams,
    users,
)
from domain.services.paging import PageRequest
from tests.fakes import FakeServices
from tests.unit import given
from tests.unit.given import GOOD_PASSWORD, ROOT, sub_admin

Call = Callable[[FakeServices, Principal], Awaitable[Any]]

ADMIN_CALLS: dict[str, Call] = {
    "users_page": lambda d, a: d.users.users_page(a, PageRequest(10), users.UserFilter()),
    "get_user": lambda d, a: d.users.get_user(a, 1),
    "create_user": lambda d, a: d.users.create_user(
        a, users.NewUser(login="x", last_name="X", location_id=1)
    ),
    "update_user": lambda d, a: d.users.update_user(a, users.UserChanges(id=1, last_name="Y")),
    "delete_user": lambda d, a: d.users.delete_user(a, 1),
    "list_locations": lambda d, a: d.locations.list_locations(a),
    "create_location": lambda d, a: d.locations.create_location(a, locations.NewLocation("X")),
    "create_group": lambda d, a: d.groups.create_group(
        a, groups.NewConfigurationGroup(location_id=1, name="G")
    ),
    "list_teams": lambda d, a: d.teams.list_teams(a),
    "create_team": lambda d, a: d.teams.create_team(a, teams.NewTeam("T", [1])),
    "list_data_sources": lambda d, a: d.data_sources.list_data_sources(a),
    "list_administrators": lambda d, a: d.administrators.list_administrators(a),
    "create_administrator": lambda d, a: d.administrators.create_administrator(
        a, administrators.NewAdministrator("x", GOOD_PASSWORD, "X")
    ),
    "audit_events": lambda d, a: d.audit.audit_events(a, PageRequest(10), None),
    "create_api_token": lambda d, a: d.auth.create_api_token(a, "t"),
    "block_administrator": lambda d, a: d.administrators.block_administrator(a, 1),
    "unblock_administrator": lambda d, a: d.administrators.unblock_administrator(a, 1),
    "delete_administrator": lambda d, a: d.administrators.delete_administrator(a, 1),
}


async def two_locations(services: FakeServices) -> tuple[int, int]:
    """Berlin (id 1) with anna (user 1); Munich (id 2) with carl (user 2)."""
    berlin = await given.location(services, "Berlin")
    munich = await given.location(services, "Munich")
    await given.user(services, "anna", berlin.id)
    await given.user(services, "carl", munich.id)
    return berlin.id, munich.id


# A Connect Client user may look up a colleague (get_user); nothing else here.
USER_REFUSED = {name: call for name, call in ADMIN_CALLS.items() if name != "get_user"}


class TestUserPrincipal:
    @pytest.mark.parametrize("call", USER_REFUSED.values(), ids=USER_REFUSED.keys())
    async def test_cannot_call_admin_services(self, services: FakeServices, call: Call) -> None:
        await two_locations(services)

        with pytest.raises(Forbidden):
            await call(services, UserPrincipal(2, "carl", False))

    async def test_cannot_look_up_colleagues_while_a_password_change_is_due(
        self, services: FakeServices
    ) -> None:
        await two_locations(services)

        with pytest.raises(Forbidden):
            await services.users.get_user(UserPrincipal(2, "carl", True), 1)


class TestPrivateData:
    """Contacts, relationships and settings: a user's own business and its admins'."""

    async def test_a_user_sees_its_own_private_data_only(self, services: FakeServices) -> None:
        berlin, _ = await two_locations(services)
        bob = await given.user(services, "bob", berlin)
        anna = await services.users.get_user(ROOT, 1)
        carl = await services.users.get_user(ROOT, 2)

        assert visibility.sees_private(given.as_user(anna), anna)
        assert visibility.sees_user(given.as_user(anna), bob)
        assert not visibility.sees_private(given.as_user(anna), bob)
        assert not visibility.sees_private(given.as_user(anna), carl)
        assert visibility.sees_private(given.as_user(anna, pending=True), anna)

    async def test_administrators_see_private_data_within_their_scope(
        self, services: FakeServices
    ) -> None:
        berlin, _ = await two_locations(services)
        anna = await services.users.get_user(ROOT, 1)
        carl = await services.users.get_user(ROOT, 2)

        assert visibility.sees_private(ROOT, anna)
        assert visibility.sees_private(ROOT, carl)
        assert visibility.sees_private(sub_admin(berlin), anna)
        assert not visibility.sees_private(sub_admin(berlin), carl)
        assert not visibility.sees_private(Anonymous(), anna)


class TestAnonymous:
    @pytest.mark.parametrize("call", ADMIN_CALLS.values(), ids=ADMIN_CALLS.keys())
    async def test_is_not_authenticated_for_admin_services(
        self, services: FakeServices, call: Call
    ) -> None:
        await two_locations(services)

        with pytest.raises(NotAuthenticated):
            await call(services, Anonymous())

    async def test_is_not_authenticated_for_self_service(self, services: FakeServices) -> None:
        with pytest.raises(NotAuthenticated):
            await services.me.set_my_client_setting(Anonymous(), "k", 1)
        with pytest.raises(NotAuthenticated):
            await services.me.me(Anonymous())


class TestSubAdministratorScope:
    async def not_found(self, call: Awaitable[Any]) -> list[tuple[str, tuple[str, ...] | None]]:
        with pytest.raises(DomainError) as raised:
            await call
        return [(p.code, p.field) for p in raised.value.problems]

    async def test_users_outside_are_not_found(self, services: FakeServices) -> None:
        berlin, _ = await two_locations(services)
        actor = sub_admin(berlin)

        assert await self.not_found(services.users.get_user(actor, 2)) == [("USER_NOT_FOUND", None)]
        assert await self.not_found(
            services.users.update_user(actor, users.UserChanges(id=2, last_name="Z"))
        ) == [("USER_NOT_FOUND", ("id",))]
        assert await self.not_found(services.users.delete_user(actor, 2)) == [
            ("USER_NOT_FOUND", ("id",))
        ]
        assert 2 in services.uow.data.users

    async def test_outside_and_missing_give_the_same_answer(self, services: FakeServices) -> None:
        berlin, _ = await two_locations(services)
        actor = sub_admin(berlin)

        outside = await self.not_found(services.users.get_user(actor, 2))
        missing = await self.not_found(services.users.get_user(actor, 99))

        assert outside == missing

    async def test_pages_leave_outside_users_out(self, services: FakeServices) -> None:
        berlin, _ = await two_locations(services)

        page = await services.users.users_page(
            sub_admin(berlin), PageRequest(10), users.UserFilter()
        )

        assert ([u.login for u in page.items], page.total) == (["anna"], 1)

    async def test_cannot_create_users_in_other_locations(self, services: FakeServices) -> None:
        berlin, munich = await two_locations(services)

        assert await self.not_found(
            services.users.create_user(
                sub_admin(berlin), users.NewUser(login="x", last_name="X", location_id=munich)
            )
        ) == [("LOCATION_NOT_FOUND", ("locationId",))]

    async def test_cannot_move_users_out_of_its_locations(self, services: FakeServices) -> None:
        berlin, munich = await two_locations(services)

        assert await self.not_found(
            services.users.update_user(
                sub_admin(berlin), users.UserChanges(id=1, location_id=munich)
            )
        ) == [("LOCATION_NOT_FOUND", ("locationId",))]
        assert services.uow.data.users[1].location_id == berlin

    async def test_groups_outside_are_not_found(self, services: FakeServices) -> None:
        berlin, munich = await two_locations(services)
        grp = await given.group(services, munich)
        actor = sub_admin(berlin)

        assert await self.not_found(services.groups.get_group(actor, grp.id)) == [
            ("CONFIGURATION_GROUP_NOT_FOUND", None)
        ]
        assert await self.not_found(services.groups.delete_group(actor, grp.id)) == [
            ("CONFIGURATION_GROUP_NOT_FOUND", ("id",))
        ]
        assert await self.not_found(
            services.groups.create_group(actor, groups.NewConfigurationGroup(munich, "G"))
        ) == [("LOCATION_NOT_FOUND", ("locationId",))]
        assert await services.groups.groups_of_locations(actor, [berlin, munich]) == {}

    async def test_teams_outside_are_not_found(self, services: FakeServices) -> None:
        berlin, _ = await two_locations(services)
        team = await given.team(services, [2], name="Munich team")
        actor = sub_admin(berlin)

        assert await self.not_found(services.teams.get_team(actor, team.id)) == [
            ("TEAM_NOT_FOUND", None)
        ]
        assert await self.not_found(
            services.teams.update_team(actor, teams.TeamChanges(id=team.id, name="X"))
        ) == [("TEAM_NOT_FOUND", ("id",))]
        assert await self.not_found(services.teams.delete_team(actor, team.id)) == [
            ("TEAM_NOT_FOUND", ("id",))
        ]
        assert await services.teams.list_teams(actor) == []

    async def test_mixed_team_is_seen_but_not_changed(self, services: FakeServices) -> None:
        berlin, _ = await two_locations(services)
        team = await given.team(services, [1, 2], name="Mixed")
        actor = sub_admin(berlin)

        assert (await services.teams.get_team(actor, team.id)).name == "Mixed"
        assert await self.not_found(services.teams.delete_team(actor, team.id)) == [
            ("TEAM_NOT_FOUND", ("id",))
        ]

    async def test_members_outside_are_not_found(self, services: FakeServices) -> None:
        berlin, _ = await two_locations(services)

        assert await self.not_found(
            services.teams.create_team(sub_admin(berlin), teams.NewTeam("T", [1, 2]))
        ) == [("USER_NOT_FOUND", ("memberIds", "1"))]

    @pytest.mark.parametrize(
        "call",
        [
            lambda d, a: d.locations.create_location(a, locations.NewLocation("X")),
            lambda d, a: d.locations.delete_location(a, 1),
            lambda d, a: d.administrators.create_administrator(
                a, administrators.NewAdministrator("x", GOOD_PASSWORD, "X")
            ),
            lambda d, a: d.data_sources.create_data_source(a, "LDAP"),
            lambda d, a: d.administrators.block_administrator(a, 1),
            lambda d, a: d.administrators.unblock_administrator(a, 1),
            lambda d, a: d.administrators.delete_administrator(a, 1),
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
    async def test_system_only_services_are_forbidden(
        self, services: FakeServices, call: Call
    ) -> None:
        berlin, _ = await two_locations(services)

        with pytest.raises(Forbidden):
            await call(services, sub_admin(berlin))

    async def test_system_admin_sees_everything(self, services: FakeServices) -> None:
        await two_locations(services)

        page = await services.users.users_page(ROOT, PageRequest(10), users.UserFilter())

        assert page.total == 2

"""Users: created, changed, deleted and paged by administrators."""

from __future__ import annotations

import asyncio

import pytest

from domain.errors import DomainError, NotAuthenticated
from domain.model import RelationshipLevel
from domain.services.me import NewContact
from domain.services.paging import PageRequest
from domain.services.users import (
    NewUser,
    UserChanges,
    UserFilter,
)
from tests.fakes import FakeServices
from tests.unit import given
from tests.unit.given import GOOD_PASSWORD, ROOT


def codes(error: DomainError) -> list[tuple[str, tuple[str, ...] | None]]:
    return [(p.code, p.field) for p in error.problems]


class TestCreateUser:
    async def test_creates_user_with_hashed_password(self, services: FakeServices) -> None:
        loc = await given.location(services)

        user = await services.users.create_user(
            ROOT,
            NewUser(login=" anna ", last_name="Alt", location_id=loc.id, password=GOOD_PASSWORD),
        )

        stored = await given.stored_user(services, user.id)
        assert stored is not None
        assert (stored.id, stored.login, stored.last_name) == (1, "anna", "Alt")
        assert stored.password_hash is not None
        assert stored.password_hash != GOOD_PASSWORD
        assert await services.hasher.verify(stored.password_hash, GOOD_PASSWORD)

    async def test_the_password_is_hashed_outside_the_transaction(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        new = NewUser(login="anna", last_name="Alt", location_id=loc.id, password=GOOD_PASSWORD)

        await services.users.create_user(ROOT, new)

        assert (services.hasher.hashed, services.hasher.during_writes) == (1, 0)

    async def test_a_login_taken_while_hashing_is_refused(self, services: FakeServices) -> None:
        loc = await given.location(services)
        services.hasher.hold()
        new = NewUser(login="anna", last_name="Alt", location_id=loc.id, password=GOOD_PASSWORD)
        creating = asyncio.create_task(services.users.create_user(ROOT, new))
        await services.hasher.until_waiting(1)
        await given.user(services, "anna", loc.id)  # another administrator was quicker
        services.hasher.release()

        with pytest.raises(DomainError) as raised:
            await creating

        assert codes(raised.value) == [("LOGIN_TAKEN", ("login",))]
        assert len(services.uow.data.users) == 1

    async def test_login_must_be_unique(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id)

        with pytest.raises(DomainError) as raised:
            await services.users.create_user(
                ROOT, NewUser(login="anna", last_name="B", location_id=loc.id)
            )

        assert codes(raised.value) == [("LOGIN_TAKEN", ("login",))]

    async def test_work_phone_must_be_unique(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id, work_phone="+49 30 100")

        with pytest.raises(DomainError) as raised:
            await services.users.create_user(
                ROOT,
                NewUser(login="ben", last_name="B", location_id=loc.id, work_phone="+49 30 100"),
            )

        assert codes(raised.value) == [("WORK_PHONE_TAKEN", ("workPhone",))]

    async def test_users_without_work_phone_do_not_collide(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id)

        user = await services.users.create_user(
            ROOT, NewUser(login="ben", last_name="B", location_id=loc.id, work_phone="")
        )

        assert user.work_phone is None

    async def test_reports_every_problem_at_once(self, services: FakeServices) -> None:
        await given.location(services)

        with pytest.raises(DomainError) as raised:
            await services.users.create_user(
                ROOT,
                NewUser(login="no spaces", last_name=" ", location_id=99, email="nope"),
            )

        assert codes(raised.value) == [
            ("INVALID_LOGIN", ("login",)),
            ("REQUIRED", ("lastName",)),
            ("INVALID_EMAIL", ("email",)),
            ("LOCATION_NOT_FOUND", ("locationId",)),
        ]
        assert services.uow.data.users == {}

    async def test_group_must_belong_to_the_location(self, services: FakeServices) -> None:
        berlin = await given.location(services)
        munich = await given.location(services, "Munich")
        munich_group = await given.group(services, munich.id)

        with pytest.raises(DomainError) as raised:
            await services.users.create_user(
                ROOT,
                NewUser(
                    login="anna",
                    last_name="A",
                    location_id=berlin.id,
                    configuration_group_id=munich_group.id,
                ),
            )

        assert codes(raised.value) == [("CONFIGURATION_GROUP_NOT_FOUND", ("configurationGroupId",))]


class TestUpdateUser:
    async def test_changes_only_given_fields(self, services: FakeServices) -> None:
        loc = await given.location(services)
        user = await given.user(services, "anna", loc.id, first_name="Anna", email="a@example.org")

        await services.users.update_user(
            ROOT, UserChanges(id=user.id, first_name=None, is_vip=True)
        )

        stored = await given.stored_user(services, user.id)
        assert stored is not None
        assert (stored.first_name, stored.email, stored.is_vip) == (None, "a@example.org", True)

    async def test_work_phone_of_another_user_is_refused(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id, work_phone="100")
        ben = await given.user(services, "ben", loc.id, work_phone="200")

        with pytest.raises(DomainError) as raised:
            await services.users.update_user(ROOT, UserChanges(id=ben.id, work_phone="100"))

        assert codes(raised.value) == [("WORK_PHONE_TAKEN", ("workPhone",))]
        assert (await given.stored_user(services, ben.id)).work_phone == "200"  # type: ignore[union-attr]

    async def test_keeping_own_work_phone_is_fine(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, work_phone="100")

        updated = await services.users.update_user(ROOT, UserChanges(id=anna.id, work_phone="100"))

        assert updated.work_phone == "100"

    async def test_moving_to_another_location_leaves_the_group(
        self, services: FakeServices
    ) -> None:
        berlin = await given.location(services)
        munich = await given.location(services, "Munich")
        grp = await given.group(services, berlin.id)
        anna = await given.user(services, "anna", berlin.id, configuration_group_id=grp.id)

        updated = await services.users.update_user(
            ROOT, UserChanges(id=anna.id, location_id=munich.id)
        )

        assert (updated.location_id, updated.configuration_group_id) == (munich.id, None)

    async def test_unknown_user_is_not_found(self, services: FakeServices) -> None:
        with pytest.raises(DomainError) as raised:
            await services.users.update_user(ROOT, UserChanges(id=42, last_name="X"))

        assert codes(raised.value) == [("USER_NOT_FOUND", ("id",))]

    async def test_blocking_ends_the_user_sessions(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)
        signed_in = await services.auth.user_sign_in("anna", GOOD_PASSWORD)

        await services.users.update_user(ROOT, UserChanges(id=anna.id, blocked=True))

        assert services.uow.data.sessions == {}
        with pytest.raises(NotAuthenticated):
            await services.auth.authenticate(signed_in.token)


class TestDeleteUser:
    async def test_removes_everything_that_hangs_on_the_user(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, password=GOOD_PASSWORD)
        ben = await given.user(services, "ben", loc.id, password=GOOD_PASSWORD)
        carl = await given.user(services, "carl", loc.id)
        team = await given.team(services, [anna.id, ben.id, carl.id])
        await given.relationship(services, anna, ben, RelationshipLevel.ASSISTANT)
        await given.relationship(services, ben, anna, RelationshipLevel.BLOCKED)
        await given.relationship(services, ben, carl, RelationshipLevel.FORWARDER)
        await services.me.add_my_contact(given.as_user(anna), NewContact(user_id=ben.id))
        await services.me.add_my_contact(given.as_user(ben), NewContact(user_id=anna.id))
        await services.auth.user_sign_in("anna", GOOD_PASSWORD)

        await services.users.delete_user(ROOT, anna.id)

        async with services.uow as uow:
            own = await uow.relationships.own_for([anna.id, ben.id, carl.id])
        assert own == {ben.id: {carl.id: RelationshipLevel.FORWARDER}}
        data = services.uow.data
        assert anna.id not in data.users
        assert data.teams[team.id].member_ids == [ben.id, carl.id]
        assert data.contacts == {}
        assert data.sessions == {}
        assert all(e.target_user_id != anna.id for e in data.audit.values())
        assert any(
            e.action == "CONTACT_ADDED" and e.target_user_id is None for e in data.audit.values()
        )

    async def test_last_member_of_a_team_is_not_deleted(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)
        await given.team(services, [anna.id], name="Solo")

        with pytest.raises(DomainError) as raised:
            await services.users.delete_user(ROOT, anna.id)

        assert codes(raised.value) == [("LAST_TEAM_MEMBER", ("id",))]
        assert anna.id in services.uow.data.users

    async def test_unknown_user_is_not_found(self, services: FakeServices) -> None:
        with pytest.raises(DomainError) as raised:
            await services.users.delete_user(ROOT, 7)

        assert codes(raised.value) == [("USER_NOT_FOUND", ("id",))]


class TestGetUser:
    async def test_finds_the_user(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)

        assert (await services.users.get_user(ROOT, anna.id)).login == "anna"

    async def test_unknown_user_is_not_found(self, services: FakeServices) -> None:
        with pytest.raises(DomainError) as raised:
            await services.users.get_user(ROOT, 3)

        assert codes(raised.value) == [("USER_NOT_FOUND", None)]


class TestUsersPage:
    async def test_pages_by_id_with_total_and_has_next(self, services: FakeServices) -> None:
        loc = await given.location(services)
        for name in ["a1", "a2", "a3", "a4", "a5"]:
            await given.user(services, name, loc.id)

        first = await services.users.users_page(ROOT, PageRequest(first=2), UserFilter())
        second = await services.users.users_page(
            ROOT, PageRequest(first=2, after_id=2), UserFilter()
        )
        last = await services.users.users_page(ROOT, PageRequest(first=2, after_id=4), UserFilter())

        assert ([u.id for u in first.items], first.has_next, first.total) == ([1, 2], True, 5)
        assert ([u.id for u in second.items], second.has_next) == ([3, 4], True)
        assert ([u.id for u in last.items], last.has_next, last.total) == ([5], False, 5)

    @pytest.mark.parametrize("term", ["ANNA", "alter", "Anna Alt", "EXAMPLE.ORG", "Bergm"])
    async def test_search_is_case_insensitive_over_names_and_email(
        self, services: FakeServices, term: str
    ) -> None:
        loc = await given.location(services)
        await given.user(
            services,
            "anna.bergmann",
            loc.id,
            first_name="Anna",
            last_name="Alternativ",
            email="anna@Example.org",
        )
        await given.user(services, "zed", loc.id, last_name="Zed")

        page = await services.users.users_page(ROOT, PageRequest(first=10), UserFilter(search=term))

        assert [u.login for u in page.items] == ["anna.bergmann"]
        assert page.total == 1

    async def test_filters_by_group_team_and_vip(self, services: FakeServices) -> None:
        loc = await given.location(services)
        grp = await given.group(services, loc.id)
        anna = await given.user(services, "anna", loc.id, configuration_group_id=grp.id)
        ben = await given.user(services, "ben", loc.id, is_vip=True)
        await given.user(services, "carl", loc.id)
        team = await given.team(services, [anna.id, ben.id])

        async def logins(f: UserFilter) -> list[str]:
            return [
                u.login for u in (await services.users.users_page(ROOT, PageRequest(10), f)).items
            ]

        assert await logins(UserFilter(configuration_group_id=grp.id)) == ["anna"]
        assert await logins(UserFilter(team_id=team.id)) == ["anna", "ben"]
        assert await logins(UserFilter(is_vip=True)) == ["ben"]
        assert await logins(UserFilter(is_vip=False, team_id=team.id)) == ["anna"]

    async def test_own_relationships_of_paged_users_come_from_the_repository(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)
        ben = await given.user(services, "ben", loc.id)
        await given.relationship(services, anna, ben, RelationshipLevel.ASSISTANT)

        page = await services.users.users_page(ROOT, PageRequest(first=10), UserFilter())
        async with services.uow as uow:
            own = await uow.relationships.own_for(u.id for u in page.items)

        assert [u.id for u in page.items] == [anna.id, ben.id]
        assert own == {anna.id: {ben.id: RelationshipLevel.ASSISTANT}}

"""Self-service of the Connect Client user."""

from __future__ import annotations

import pytest

from domain.errors import DomainError, Forbidden, NotAuthenticated
from domain.model import Location, RelationshipLevel, RelationshipPolicy, User
from domain.principals import Anonymous
from domain.services.me import (
    NewContact,
)
from tests.fakes import FakeServices
from tests.unit import given
from tests.unit.given import ROOT

L = RelationshipLevel


def codes(error: DomainError) -> list[str]:
    return [p.code for p in error.problems]


class TestMe:
    async def test_user_gets_itself(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)

        found = await services.me.me(given.as_user(anna))

        assert found is not None
        assert found.login == "anna"

    async def test_administrator_gets_none(self, services: FakeServices) -> None:
        assert await services.me.me(ROOT) is None

    async def test_anonymous_is_not_authenticated(self, services: FakeServices) -> None:
        with pytest.raises(NotAuthenticated):
            await services.me.me(Anonymous())


class TestPendingPasswordChange:
    @pytest.mark.parametrize(
        "call",
        [
            lambda d, a, o: d.me.set_my_client_setting(a, "k", 1),
            lambda d, a, o: d.me.set_my_presence_setting(a, "k", 1),
            lambda d, a, o: d.me.set_my_relationship(a, o.id, L.ASSISTANT),
            lambda d, a, o: d.me.add_my_contact(a, NewContact(user_id=o.id)),
        ],
        ids=["client-setting", "presence-setting", "relationship", "contact"],
    )
    async def test_only_the_password_may_be_changed(
        self, services: FakeServices, call: object
    ) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, password_change_required=True)
        ben = await given.user(services, "ben", loc.id)
        assert callable(call)

        with pytest.raises(Forbidden):
            await call(services, given.as_user(anna, pending=True), ben)

        assert services.uow.data.relationships == {}
        assert services.uow.data.contacts == {}


class TestSetMyRelationship:
    async def arrange(
        self, services: FakeServices, policy: RelationshipPolicy
    ) -> tuple[Location, User, User]:
        loc = await given.location(
            services, default_relationship=L.EMPLOYEE, relationship_policy=policy
        )
        anna = await given.user(services, "anna", loc.id)
        ben = await given.user(services, "ben", loc.id)
        return loc, anna, ben

    async def test_extend_only_refuses_a_level_below_the_default(
        self, services: FakeServices
    ) -> None:
        _, anna, ben = await self.arrange(services, RelationshipPolicy.EXTEND_ONLY)

        with pytest.raises(DomainError) as raised:
            await services.me.set_my_relationship(given.as_user(anna), ben.id, L.EXTERNAL)

        assert [(p.code, p.field) for p in raised.value.problems] == [
            ("RELATIONSHIP_POLICY", ("level",))
        ]
        assert services.uow.data.relationships == {}

    async def test_extend_only_allows_raising(self, services: FakeServices) -> None:
        _, anna, ben = await self.arrange(services, RelationshipPolicy.EXTEND_ONLY)

        await services.me.set_my_relationship(given.as_user(anna), ben.id, L.ASSISTANT)

        assert services.uow.data.relationships == {(anna.id, ben.id): L.ASSISTANT}

    async def test_extend_only_allows_the_default_itself(self, services: FakeServices) -> None:
        _, anna, ben = await self.arrange(services, RelationshipPolicy.EXTEND_ONLY)

        await services.me.set_my_relationship(given.as_user(anna), ben.id, L.EMPLOYEE)

        assert services.uow.data.relationships == {(anna.id, ben.id): L.EMPLOYEE}

    async def test_extend_only_measures_against_the_team_level(
        self, services: FakeServices
    ) -> None:
        _, anna, ben = await self.arrange(services, RelationshipPolicy.EXTEND_ONLY)
        await given.team(services, [anna.id, ben.id], level=L.ASSISTANT)

        with pytest.raises(DomainError) as raised:
            await services.me.set_my_relationship(given.as_user(anna), ben.id, L.TEAM_COLLEAGUE)

        assert codes(raised.value) == ["RELATIONSHIP_POLICY"]

    async def test_extend_only_allows_anything_towards_another_location(
        self, services: FakeServices
    ) -> None:
        _, anna, _ = await self.arrange(services, RelationshipPolicy.EXTEND_ONLY)
        munich = await given.location(services, "Munich")
        carl = await given.user(services, "carl", munich.id)

        await services.me.set_my_relationship(given.as_user(anna), carl.id, L.BLOCKED)

        assert services.uow.data.relationships == {(anna.id, carl.id): L.BLOCKED}

    async def test_extend_only_lets_a_vip_set_anything(self, services: FakeServices) -> None:
        loc, _, ben = await self.arrange(services, RelationshipPolicy.EXTEND_ONLY)
        vip = await given.user(services, "vip", loc.id, is_vip=True)

        await services.me.set_my_relationship(given.as_user(vip), ben.id, L.BLOCKED)

        assert services.uow.data.relationships == {(vip.id, ben.id): L.BLOCKED}

    async def test_extend_and_restrict_allows_lowering(self, services: FakeServices) -> None:
        _, anna, ben = await self.arrange(services, RelationshipPolicy.EXTEND_AND_RESTRICT)

        await services.me.set_my_relationship(given.as_user(anna), ben.id, L.BLOCKED)

        assert services.uow.data.relationships == {(anna.id, ben.id): L.BLOCKED}

    async def test_setting_again_replaces_the_level(self, services: FakeServices) -> None:
        _, anna, ben = await self.arrange(services, RelationshipPolicy.EXTEND_AND_RESTRICT)
        await services.me.set_my_relationship(given.as_user(anna), ben.id, L.BLOCKED)

        await services.me.set_my_relationship(given.as_user(anna), ben.id, L.ASSISTANT)

        assert services.uow.data.relationships == {(anna.id, ben.id): L.ASSISTANT}

    async def test_unknown_target_is_not_found(self, services: FakeServices) -> None:
        _, anna, _ = await self.arrange(services, RelationshipPolicy.EXTEND_AND_RESTRICT)

        with pytest.raises(DomainError) as raised:
            await services.me.set_my_relationship(given.as_user(anna), 99, L.BLOCKED)

        assert [(p.code, p.field) for p in raised.value.problems] == [
            ("USER_NOT_FOUND", ("targetUserId",))
        ]

    async def test_oneself_is_no_target(self, services: FakeServices) -> None:
        _, anna, _ = await self.arrange(services, RelationshipPolicy.EXTEND_AND_RESTRICT)

        with pytest.raises(DomainError) as raised:
            await services.me.set_my_relationship(given.as_user(anna), anna.id, L.BLOCKED)

        assert codes(raised.value) == ["INVALID_TARGET"]


class TestSetMySettings:
    async def test_own_values_are_stored_per_kind(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)

        await services.me.set_my_client_setting(given.as_user(anna), " theme ", "dark")
        await services.me.set_my_presence_setting(given.as_user(anna), "dnd", {"on": True})

        stored = services.uow.data.users[anna.id]
        assert stored.client_settings == {"theme": "dark"}
        assert stored.presence_settings == {"dnd": {"on": True}}

    async def test_blank_key_is_refused(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)

        with pytest.raises(DomainError) as raised:
            await services.me.set_my_client_setting(given.as_user(anna), "  ", 1)

        assert codes(raised.value) == ["INVALID_SETTING_KEY"]


class TestAddMyContact:
    async def test_adds_another_user(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)
        ben = await given.user(services, "ben", loc.id, first_name="Ben", last_name="Berg")

        contact = await services.me.add_my_contact(given.as_user(anna), NewContact(user_id=ben.id))

        assert (contact.id, contact.owner_id, contact.display_name) == (1, anna.id, "Ben Berg")

    async def test_adds_a_directory_entry(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)
        async with services.uow as uow:
            from domain.model import DirectoryDataSource

            source = await uow.data_sources.add(DirectoryDataSource(name="LDAP"))
            await uow.commit()

        contact = await services.me.add_my_contact(
            given.as_user(anna),
            NewContact(data_source_id=source.id, external_id="x1", display_name="Xavier"),
        )

        assert (contact.data_source_id, contact.external_id) == (source.id, "x1")

    async def test_the_same_contact_twice_is_refused(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)
        ben = await given.user(services, "ben", loc.id)
        await services.me.add_my_contact(given.as_user(anna), NewContact(user_id=ben.id))

        with pytest.raises(DomainError) as raised:
            await services.me.add_my_contact(given.as_user(anna), NewContact(user_id=ben.id))

        assert codes(raised.value) == ["CONTACT_EXISTS"]

    async def test_inactive_data_source_is_refused(self, services: FakeServices) -> None:
        from domain.model import DirectoryDataSource

        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)
        async with services.uow as uow:
            source = await uow.data_sources.add(DirectoryDataSource(name="Old", active=False))
            await uow.commit()

        with pytest.raises(DomainError) as raised:
            await services.me.add_my_contact(
                given.as_user(anna),
                NewContact(data_source_id=source.id, external_id="x", display_name="X"),
            )

        assert codes(raised.value) == ["DATA_SOURCE_INACTIVE"]

    async def test_user_and_directory_entry_at_once_is_refused(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)

        with pytest.raises(DomainError) as raised:
            await services.me.add_my_contact(
                given.as_user(anna), NewContact(user_id=2, data_source_id=1, external_id="x")
            )

        assert codes(raised.value) == ["INVALID_CONTACT"]

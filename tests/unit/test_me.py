"""Self-service of the Connect Client user."""

from __future__ import annotations

import pytest

from domain.errors import DomainError, Forbidden, NotAuthenticated
from domain.model import Location, RelationshipLevel, RelationshipPolicy, User
from domain.principals import Anonymous
from domain.services.me import (
    NewContact,
    add_my_contact,
    me,
    set_my_client_setting,
    set_my_presence_setting,
    set_my_relationship,
)
from tests.fakes import FakeDeps
from tests.unit import given
from tests.unit.given import ROOT

L = RelationshipLevel


def codes(error: DomainError) -> list[str]:
    return [p.code for p in error.problems]


class TestMe:
    async def test_user_gets_itself(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id)

        found = await me(deps, given.as_user(anna))

        assert found is not None
        assert found.login == "anna"

    async def test_administrator_gets_none(self, deps: FakeDeps) -> None:
        assert await me(deps, ROOT) is None

    async def test_anonymous_is_not_authenticated(self, deps: FakeDeps) -> None:
        with pytest.raises(NotAuthenticated):
            await me(deps, Anonymous())


class TestPendingPasswordChange:
    @pytest.mark.parametrize(
        "call",
        [
            lambda d, a, o: set_my_client_setting(d, a, "k", 1),
            lambda d, a, o: set_my_presence_setting(d, a, "k", 1),
            lambda d, a, o: set_my_relationship(d, a, o.id, L.ASSISTANT),
            lambda d, a, o: add_my_contact(d, a, NewContact(user_id=o.id)),
        ],
        ids=["client-setting", "presence-setting", "relationship", "contact"],
    )
    async def test_only_the_password_may_be_changed(self, deps: FakeDeps, call: object) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id, password_change_required=True)
        ben = await given.user(deps, "ben", loc.id)
        assert callable(call)

        with pytest.raises(Forbidden):
            await call(deps, given.as_user(anna, pending=True), ben)

        assert deps.uow.data.relationships == {}
        assert deps.uow.data.contacts == {}


class TestSetMyRelationship:
    async def arrange(
        self, deps: FakeDeps, policy: RelationshipPolicy
    ) -> tuple[Location, User, User]:
        loc = await given.location(
            deps, default_relationship=L.EMPLOYEE, relationship_policy=policy
        )
        anna = await given.user(deps, "anna", loc.id)
        ben = await given.user(deps, "ben", loc.id)
        return loc, anna, ben

    async def test_extend_only_refuses_a_level_below_the_default(self, deps: FakeDeps) -> None:
        _, anna, ben = await self.arrange(deps, RelationshipPolicy.EXTEND_ONLY)

        with pytest.raises(DomainError) as raised:
            await set_my_relationship(deps, given.as_user(anna), ben.id, L.EXTERNAL)

        assert [(p.code, p.field) for p in raised.value.problems] == [
            ("RELATIONSHIP_POLICY", ("level",))
        ]
        assert deps.uow.data.relationships == {}

    async def test_extend_only_allows_raising(self, deps: FakeDeps) -> None:
        _, anna, ben = await self.arrange(deps, RelationshipPolicy.EXTEND_ONLY)

        await set_my_relationship(deps, given.as_user(anna), ben.id, L.ASSISTANT)

        assert deps.uow.data.relationships == {(anna.id, ben.id): L.ASSISTANT}

    async def test_extend_only_allows_the_default_itself(self, deps: FakeDeps) -> None:
        _, anna, ben = await self.arrange(deps, RelationshipPolicy.EXTEND_ONLY)

        await set_my_relationship(deps, given.as_user(anna), ben.id, L.EMPLOYEE)

        assert deps.uow.data.relationships == {(anna.id, ben.id): L.EMPLOYEE}

    async def test_extend_only_measures_against_the_team_level(self, deps: FakeDeps) -> None:
        _, anna, ben = await self.arrange(deps, RelationshipPolicy.EXTEND_ONLY)
        await given.team(deps, [anna.id, ben.id], level=L.ASSISTANT)

        with pytest.raises(DomainError) as raised:
            await set_my_relationship(deps, given.as_user(anna), ben.id, L.TEAM_COLLEAGUE)

        assert codes(raised.value) == ["RELATIONSHIP_POLICY"]

    async def test_extend_only_allows_anything_towards_another_location(
        self, deps: FakeDeps
    ) -> None:
        _, anna, _ = await self.arrange(deps, RelationshipPolicy.EXTEND_ONLY)
        munich = await given.location(deps, "Munich")
        carl = await given.user(deps, "carl", munich.id)

        await set_my_relationship(deps, given.as_user(anna), carl.id, L.BLOCKED)

        assert deps.uow.data.relationships == {(anna.id, carl.id): L.BLOCKED}

    async def test_extend_only_lets_a_vip_set_anything(self, deps: FakeDeps) -> None:
        loc, _, ben = await self.arrange(deps, RelationshipPolicy.EXTEND_ONLY)
        vip = await given.user(deps, "vip", loc.id, is_vip=True)

        await set_my_relationship(deps, given.as_user(vip), ben.id, L.BLOCKED)

        assert deps.uow.data.relationships == {(vip.id, ben.id): L.BLOCKED}

    async def test_extend_and_restrict_allows_lowering(self, deps: FakeDeps) -> None:
        _, anna, ben = await self.arrange(deps, RelationshipPolicy.EXTEND_AND_RESTRICT)

        await set_my_relationship(deps, given.as_user(anna), ben.id, L.BLOCKED)

        assert deps.uow.data.relationships == {(anna.id, ben.id): L.BLOCKED}

    async def test_setting_again_replaces_the_level(self, deps: FakeDeps) -> None:
        _, anna, ben = await self.arrange(deps, RelationshipPolicy.EXTEND_AND_RESTRICT)
        await set_my_relationship(deps, given.as_user(anna), ben.id, L.BLOCKED)

        await set_my_relationship(deps, given.as_user(anna), ben.id, L.ASSISTANT)

        assert deps.uow.data.relationships == {(anna.id, ben.id): L.ASSISTANT}

    async def test_unknown_target_is_not_found(self, deps: FakeDeps) -> None:
        _, anna, _ = await self.arrange(deps, RelationshipPolicy.EXTEND_AND_RESTRICT)

        with pytest.raises(DomainError) as raised:
            await set_my_relationship(deps, given.as_user(anna), 99, L.BLOCKED)

        assert [(p.code, p.field) for p in raised.value.problems] == [
            ("USER_NOT_FOUND", ("targetUserId",))
        ]

    async def test_oneself_is_no_target(self, deps: FakeDeps) -> None:
        _, anna, _ = await self.arrange(deps, RelationshipPolicy.EXTEND_AND_RESTRICT)

        with pytest.raises(DomainError) as raised:
            await set_my_relationship(deps, given.as_user(anna), anna.id, L.BLOCKED)

        assert codes(raised.value) == ["INVALID_TARGET"]


class TestSetMySettings:
    async def test_own_values_are_stored_per_kind(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id)

        await set_my_client_setting(deps, given.as_user(anna), " theme ", "dark")
        await set_my_presence_setting(deps, given.as_user(anna), "dnd", {"on": True})

        stored = deps.uow.data.users[anna.id]
        assert stored.client_settings == {"theme": "dark"}
        assert stored.presence_settings == {"dnd": {"on": True}}

    async def test_blank_key_is_refused(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id)

        with pytest.raises(DomainError) as raised:
            await set_my_client_setting(deps, given.as_user(anna), "  ", 1)

        assert codes(raised.value) == ["INVALID_SETTING_KEY"]


class TestAddMyContact:
    async def test_adds_another_user(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id)
        ben = await given.user(deps, "ben", loc.id, first_name="Ben", last_name="Berg")

        contact = await add_my_contact(deps, given.as_user(anna), NewContact(user_id=ben.id))

        assert (contact.id, contact.owner_id, contact.display_name) == (1, anna.id, "Ben Berg")

    async def test_adds_a_directory_entry(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id)
        async with deps.uow as uow:
            from domain.model import DirectoryDataSource

            source = await uow.data_sources.add(DirectoryDataSource(name="LDAP"))
            await uow.commit()

        contact = await add_my_contact(
            deps,
            given.as_user(anna),
            NewContact(data_source_id=source.id, external_id="x1", display_name="Xavier"),
        )

        assert (contact.data_source_id, contact.external_id) == (source.id, "x1")

    async def test_the_same_contact_twice_is_refused(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id)
        ben = await given.user(deps, "ben", loc.id)
        await add_my_contact(deps, given.as_user(anna), NewContact(user_id=ben.id))

        with pytest.raises(DomainError) as raised:
            await add_my_contact(deps, given.as_user(anna), NewContact(user_id=ben.id))

        assert codes(raised.value) == ["CONTACT_EXISTS"]

    async def test_inactive_data_source_is_refused(self, deps: FakeDeps) -> None:
        from domain.model import DirectoryDataSource

        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id)
        async with deps.uow as uow:
            source = await uow.data_sources.add(DirectoryDataSource(name="Old", active=False))
            await uow.commit()

        with pytest.raises(DomainError) as raised:
            await add_my_contact(
                deps,
                given.as_user(anna),
                NewContact(data_source_id=source.id, external_id="x", display_name="X"),
            )

        assert codes(raised.value) == ["DATA_SOURCE_INACTIVE"]

    async def test_user_and_directory_entry_at_once_is_refused(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        anna = await given.user(deps, "anna", loc.id)

        with pytest.raises(DomainError) as raised:
            await add_my_contact(
                deps, given.as_user(anna), NewContact(user_id=2, data_source_id=1, external_id="x")
            )

        assert codes(raised.value) == ["INVALID_CONTACT"]

"""Locations: only system administrators create, change or delete them."""

from __future__ import annotations

import pytest

from domain.errors import DomainError, Forbidden
from domain.model import PasswordPolicy, RelationshipLevel
from domain.services.locations import (
    LocationChanges,
    NewLocation,
)
from tests.fakes import FakeServices
from tests.unit import given
from tests.unit.given import ROOT, sub_admin


def codes(error: DomainError) -> list[tuple[str, tuple[str, ...] | None]]:
    return [(p.code, p.field) for p in error.problems]


class TestCreateLocation:
    async def test_creates_with_settings_and_defaults(self, services: FakeServices) -> None:
        location = await services.locations.create_location(
            ROOT,
            NewLocation(name=" Berlin ", client_settings=[("theme", "dark")]),
        )

        stored = services.uow.data.locations[location.id]
        assert (stored.id, stored.name, stored.client_settings) == (1, "Berlin", {"theme": "dark"})
        assert stored.default_relationship is RelationshipLevel.EMPLOYEE

    async def test_name_must_be_unique(self, services: FakeServices) -> None:
        await given.location(services, "Berlin")

        with pytest.raises(DomainError) as raised:
            await services.locations.create_location(ROOT, NewLocation(name="Berlin"))

        assert codes(raised.value) == [("NAME_TAKEN", ("name",))]

    async def test_unusable_password_policy_is_refused(self, services: FakeServices) -> None:
        with pytest.raises(DomainError) as raised:
            await services.locations.create_location(
                ROOT, NewLocation(name="X", password_policy=PasswordPolicy(min_length=0))
            )

        assert codes(raised.value) == [("INVALID_PASSWORD_POLICY", ("passwordPolicy",))]

    async def test_duplicate_setting_key_is_refused(self, services: FakeServices) -> None:
        with pytest.raises(DomainError) as raised:
            await services.locations.create_location(
                ROOT, NewLocation(name="X", client_settings=[("a", 1), ("a", 2)])
            )

        assert codes(raised.value) == [("DUPLICATE_SETTING_KEY", ("clientSettings", "1", "key"))]

    async def test_sub_admin_is_forbidden(self, services: FakeServices) -> None:
        with pytest.raises(Forbidden):
            await services.locations.create_location(sub_admin(1), NewLocation(name="X"))


class TestUpdateLocation:
    async def test_changes_given_fields(self, services: FakeServices) -> None:
        loc = await given.location(services, client_settings={"a": 1})

        await services.locations.update_location(
            ROOT,
            LocationChanges(
                id=loc.id,
                default_relationship=RelationshipLevel.ASSISTANT,
                client_settings=[("b", 2)],
            ),
        )

        stored = services.uow.data.locations[loc.id]
        assert stored.default_relationship is RelationshipLevel.ASSISTANT
        assert stored.client_settings == {"b": 2}
        assert stored.name == "Berlin"

    async def test_renaming_onto_another_name_is_refused(self, services: FakeServices) -> None:
        await given.location(services, "Berlin")
        munich = await given.location(services, "Munich")

        with pytest.raises(DomainError) as raised:
            await services.locations.update_location(
                ROOT, LocationChanges(id=munich.id, name="Berlin")
            )

        assert codes(raised.value) == [("NAME_TAKEN", ("name",))]

    async def test_sub_admin_is_forbidden(self, services: FakeServices) -> None:
        loc = await given.location(services)

        with pytest.raises(Forbidden):
            await services.locations.update_location(
                sub_admin(loc.id), LocationChanges(id=loc.id, name="X")
            )


class TestDeleteLocation:
    async def test_empty_location_is_deleted(self, services: FakeServices) -> None:
        loc = await given.location(services)

        await services.locations.delete_location(ROOT, loc.id)

        assert services.uow.data.locations == {}

    async def test_location_with_users_is_in_use(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id)

        with pytest.raises(DomainError) as raised:
            await services.locations.delete_location(ROOT, loc.id)

        assert codes(raised.value) == [("LOCATION_IN_USE", ("id",))]
        assert loc.id in services.uow.data.locations

    async def test_location_with_groups_is_in_use(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.group(services, loc.id)

        with pytest.raises(DomainError) as raised:
            await services.locations.delete_location(ROOT, loc.id)

        assert codes(raised.value) == [("LOCATION_IN_USE", ("id",))]

    async def test_unknown_location_is_not_found(self, services: FakeServices) -> None:
        with pytest.raises(DomainError) as raised:
            await services.locations.delete_location(ROOT, 5)

        assert codes(raised.value) == [("LOCATION_NOT_FOUND", ("id",))]

    async def test_sub_admin_is_forbidden(self, services: FakeServices) -> None:
        loc = await given.location(services)

        with pytest.raises(Forbidden):
            await services.locations.delete_location(sub_admin(loc.id), loc.id)


class TestReadLocations:
    async def test_system_admin_lists_all_by_name(self, services: FakeServices) -> None:
        await given.location(services, "Munich")
        await given.location(services, "Berlin")

        assert [loc.name for loc in await services.locations.list_locations(ROOT)] == [
            "Berlin",
            "Munich",
        ]

    async def test_sub_admin_lists_only_its_own(self, services: FakeServices) -> None:
        berlin = await given.location(services, "Berlin")
        await given.location(services, "Munich")

        found = await services.locations.list_locations(sub_admin(berlin.id))

        assert [loc.name for loc in found] == ["Berlin"]

    async def test_sub_admin_does_not_find_other_locations(self, services: FakeServices) -> None:
        berlin = await given.location(services, "Berlin")
        munich = await given.location(services, "Munich")

        assert (
            await services.locations.get_location(sub_admin(berlin.id), berlin.id)
        ).name == "Berlin"
        with pytest.raises(DomainError) as raised:
            await services.locations.get_location(sub_admin(berlin.id), munich.id)
        assert codes(raised.value) == [("LOCATION_NOT_FOUND", None)]

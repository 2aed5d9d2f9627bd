"""Locations: only system administrators create, change or delete them."""

from __future__ import annotations

import pytest

from domain.errors import DomainError, Forbidden
from domain.model import PasswordPolicy, RelationshipLevel
from domain.services.locations import (
    LocationChanges,
    NewLocation,
    create_location,
    delete_location,
    get_location,
    list_locations,
    update_location,
)
from tests.fakes import FakeDeps
from tests.unit import given
from tests.unit.given import ROOT, sub_admin


def codes(error: DomainError) -> list[tuple[str, tuple[str, ...] | None]]:
    return [(p.code, p.field) for p in error.problems]


class TestCreateLocation:
    async def test_creates_with_settings_and_defaults(self, deps: FakeDeps) -> None:
        location = await create_location(
            deps,
            ROOT,
            NewLocation(name=" Berlin ", client_settings=[("theme", "dark")]),
        )

        stored = deps.uow.data.locations[location.id]
        assert (stored.id, stored.name, stored.client_settings) == (1, "Berlin", {"theme": "dark"})
        assert stored.default_relationship is RelationshipLevel.EMPLOYEE

    async def test_name_must_be_unique(self, deps: FakeDeps) -> None:
        await given.location(deps, "Berlin")

        with pytest.raises(DomainError) as raised:
            await create_location(deps, ROOT, NewLocation(name="Berlin"))

        assert codes(raised.value) == [("NAME_TAKEN", ("name",))]

    async def test_unusable_password_policy_is_refused(self, deps: FakeDeps) -> None:
        with pytest.raises(DomainError) as raised:
            await create_location(
                deps, ROOT, NewLocation(name="X", password_policy=PasswordPolicy(min_length=0))
            )

        assert codes(raised.value) == [("INVALID_PASSWORD_POLICY", ("passwordPolicy",))]

    async def test_duplicate_setting_key_is_refused(self, deps: FakeDeps) -> None:
        with pytest.raises(DomainError) as raised:
            await create_location(
                deps, ROOT, NewLocation(name="X", client_settings=[("a", 1), ("a", 2)])
            )

        assert codes(raised.value) == [("DUPLICATE_SETTING_KEY", ("clientSettings", "1", "key"))]

    async def test_sub_admin_is_forbidden(self, deps: FakeDeps) -> None:
        with pytest.raises(Forbidden):
            await create_location(deps, sub_admin(1), NewLocation(name="X"))


class TestUpdateLocation:
    async def test_changes_given_fields(self, deps: FakeDeps) -> None:
        loc = await given.location(deps, client_settings={"a": 1})

        await update_location(
            deps,
            ROOT,
            LocationChanges(
                id=loc.id,
                default_relationship=RelationshipLevel.ASSISTANT,
                client_settings=[("b", 2)],
            ),
        )

        stored = deps.uow.data.locations[loc.id]
        assert stored.default_relationship is RelationshipLevel.ASSISTANT
        assert stored.client_settings == {"b": 2}
        assert stored.name == "Berlin"

    async def test_renaming_onto_another_name_is_refused(self, deps: FakeDeps) -> None:
        await given.location(deps, "Berlin")
        munich = await given.location(deps, "Munich")

        with pytest.raises(DomainError) as raised:
            await update_location(deps, ROOT, LocationChanges(id=munich.id, name="Berlin"))

        assert codes(raised.value) == [("NAME_TAKEN", ("name",))]

    async def test_sub_admin_is_forbidden(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)

        with pytest.raises(Forbidden):
            await update_location(deps, sub_admin(loc.id), LocationChanges(id=loc.id, name="X"))


class TestDeleteLocation:
    async def test_empty_location_is_deleted(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)

        await delete_location(deps, ROOT, loc.id)

        assert deps.uow.data.locations == {}

    async def test_location_with_users_is_in_use(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        await given.user(deps, "anna", loc.id)

        with pytest.raises(DomainError) as raised:
            await delete_location(deps, ROOT, loc.id)

        assert codes(raised.value) == [("LOCATION_IN_USE", ("id",))]
        assert loc.id in deps.uow.data.locations

    async def test_location_with_groups_is_in_use(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        await given.group(deps, loc.id)

        with pytest.raises(DomainError) as raised:
            await delete_location(deps, ROOT, loc.id)

        assert codes(raised.value) == [("LOCATION_IN_USE", ("id",))]

    async def test_unknown_location_is_not_found(self, deps: FakeDeps) -> None:
        with pytest.raises(DomainError) as raised:
            await delete_location(deps, ROOT, 5)

        assert codes(raised.value) == [("LOCATION_NOT_FOUND", ("id",))]

    async def test_sub_admin_is_forbidden(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)

        with pytest.raises(Forbidden):
            await delete_location(deps, sub_admin(loc.id), loc.id)


class TestReadLocations:
    async def test_system_admin_lists_all_by_name(self, deps: FakeDeps) -> None:
        await given.location(deps, "Munich")
        await given.location(deps, "Berlin")

        assert [loc.name for loc in await list_locations(deps, ROOT)] == ["Berlin", "Munich"]

    async def test_sub_admin_lists_only_its_own(self, deps: FakeDeps) -> None:
        berlin = await given.location(deps, "Berlin")
        await given.location(deps, "Munich")

        found = await list_locations(deps, sub_admin(berlin.id))

        assert [loc.name for loc in found] == ["Berlin"]

    async def test_sub_admin_does_not_find_other_locations(self, deps: FakeDeps) -> None:
        berlin = await given.location(deps, "Berlin")
        munich = await given.location(deps, "Munich")

        assert (await get_location(deps, sub_admin(berlin.id), berlin.id)).name == "Berlin"
        with pytest.raises(DomainError) as raised:
            await get_location(deps, sub_admin(berlin.id), munich.id)
        assert codes(raised.value) == [("LOCATION_NOT_FOUND", None)]

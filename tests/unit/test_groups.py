"""Configuration groups: within a location, inheriting what they leave unset."""

from __future__ import annotations

import pytest

from domain.errors import DomainError
from domain.model import RelationshipLevel
from domain.services.groups import (
    NewConfigurationGroup,
    create_group,
    delete_group,
    get_group,
    groups_of_locations,
)
from tests.fakes import FakeDeps
from tests.unit import given
from tests.unit.given import ROOT, sub_admin


def codes(error: DomainError) -> list[tuple[str, tuple[str, ...] | None]]:
    return [(p.code, p.field) for p in error.problems]


class TestCreateGroup:
    async def test_inherits_what_it_leaves_unset(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)

        grp = await create_group(
            deps,
            ROOT,
            NewConfigurationGroup(
                location_id=loc.id,
                name="Sales",
                default_relationship=RelationshipLevel.ASSISTANT,
                presence_settings=[],
            ),
        )

        stored = deps.uow.data.groups[grp.id]
        assert stored.default_relationship is RelationshipLevel.ASSISTANT
        assert stored.client_settings is None
        assert stored.presence_settings == {}

    async def test_name_is_unique_within_the_location(self, deps: FakeDeps) -> None:
        berlin = await given.location(deps)
        munich = await given.location(deps, "Munich")
        await given.group(deps, berlin.id, "Sales")

        await create_group(deps, ROOT, NewConfigurationGroup(location_id=munich.id, name="Sales"))
        with pytest.raises(DomainError) as raised:
            await create_group(
                deps, ROOT, NewConfigurationGroup(location_id=berlin.id, name="Sales")
            )

        assert codes(raised.value) == [("NAME_TAKEN", ("name",))]

    async def test_unknown_location_is_not_found(self, deps: FakeDeps) -> None:
        with pytest.raises(DomainError) as raised:
            await create_group(deps, ROOT, NewConfigurationGroup(location_id=9, name="X"))

        assert codes(raised.value) == [("LOCATION_NOT_FOUND", ("locationId",))]


class TestDeleteGroup:
    async def test_unused_group_is_deleted(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        grp = await given.group(deps, loc.id)

        await delete_group(deps, ROOT, grp.id)

        assert deps.uow.data.groups == {}

    async def test_group_with_users_is_in_use(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        grp = await given.group(deps, loc.id)
        await given.user(deps, "anna", loc.id, configuration_group_id=grp.id)

        with pytest.raises(DomainError) as raised:
            await delete_group(deps, ROOT, grp.id)

        assert codes(raised.value) == [("CONFIGURATION_GROUP_IN_USE", ("id",))]


class TestReadGroups:
    async def test_groups_of_locations_by_name(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        await given.group(deps, loc.id, "Support")
        await given.group(deps, loc.id, "Sales")

        found = await groups_of_locations(deps, ROOT, [loc.id])

        assert [g.name for g in found[loc.id]] == ["Sales", "Support"]

    async def test_get_group(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        grp = await given.group(deps, loc.id)

        assert (await get_group(deps, sub_admin(loc.id), grp.id)).name == "Sales"

"""Configuration groups: within a location, inheriting what they leave unset."""

from __future__ import annotations

import pytest

from domain.errors import DomainError
from domain.model import RelationshipLevel
from domain.services.groups import (
    NewConfigurationGroup,
)
from tests.fakes import FakeServices
from tests.unit import given
from tests.unit.given import ROOT, sub_admin


def codes(error: DomainError) -> list[tuple[str, tuple[str, ...] | None]]:
    return [(p.code, p.field) for p in error.problems]


class TestCreateGroup:
    async def test_inherits_what_it_leaves_unset(self, services: FakeServices) -> None:
        loc = await given.location(services)

        grp = await services.groups.create_group(
            ROOT,
            NewConfigurationGroup(
                location_id=loc.id,
                name="Sales",
                default_relationship=RelationshipLevel.ASSISTANT,
                presence_settings=[],
            ),
        )

        stored = services.uow.data.groups[grp.id]
        assert stored.default_relationship is RelationshipLevel.ASSISTANT
        assert stored.client_settings is None
        assert stored.presence_settings == {}

    async def test_name_is_unique_within_the_location(self, services: FakeServices) -> None:
        berlin = await given.location(services)
        munich = await given.location(services, "Munich")
        await given.group(services, berlin.id, "Sales")

        await services.groups.create_group(
            ROOT, NewConfigurationGroup(location_id=munich.id, name="Sales")
        )
        with pytest.raises(DomainError) as raised:
            await services.groups.create_group(
                ROOT, NewConfigurationGroup(location_id=berlin.id, name="Sales")
            )

        assert codes(raised.value) == [("NAME_TAKEN", ("name",))]

    async def test_unknown_location_is_not_found(self, services: FakeServices) -> None:
        with pytest.raises(DomainError) as raised:
            await services.groups.create_group(ROOT, NewConfigurationGroup(location_id=9, name="X"))

        assert codes(raised.value) == [("LOCATION_NOT_FOUND", ("locationId",))]


class TestDeleteGroup:
    async def test_unused_group_is_deleted(self, services: FakeServices) -> None:
        loc = await given.location(services)
        grp = await given.group(services, loc.id)

        await services.groups.delete_group(ROOT, grp.id)

        assert services.uow.data.groups == {}

    async def test_group_with_users_is_in_use(self, services: FakeServices) -> None:
        loc = await given.location(services)
        grp = await given.group(services, loc.id)
        await given.user(services, "anna", loc.id, configuration_group_id=grp.id)

        with pytest.raises(DomainError) as raised:
            await services.groups.delete_group(ROOT, grp.id)

        assert codes(raised.value) == [("CONFIGURATION_GROUP_IN_USE", ("id",))]


class TestReadGroups:
    async def test_groups_of_locations_by_name(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.group(services, loc.id, "Support")
        await given.group(services, loc.id, "Sales")

        found = await services.groups.groups_of_locations(ROOT, [loc.id])

        assert [g.name for g in found[loc.id]] == ["Sales", "Support"]

    async def test_get_group(self, services: FakeServices) -> None:
        loc = await given.location(services)
        grp = await given.group(services, loc.id)

        assert (await services.groups.get_group(sub_admin(loc.id), grp.id)).name == "Sales"

"""Locations and configuration groups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy.exc import IntegrityError

from domain.model import (
    ConfigurationGroup,
    Location,
    PasswordPolicy,
    RelationshipLevel,
    RelationshipPolicy,
)
from persistence.unit_of_work import SqlAlchemyUnitOfWork

if TYPE_CHECKING:
    from tests.integration.conftest import Factory


async def test_location_round_trip(uow: SqlAlchemyUnitOfWork) -> None:
    location = Location(
        name="Berlin",
        description="HQ",
        password_policy=PasswordPolicy(
            min_length=8,
            max_length=64,
            require_uppercase=False,
            require_lowercase=True,
            require_digit=False,
            require_symbol=True,
        ),
        default_relationship=RelationshipLevel.FORWARDER,
        relationship_policy=RelationshipPolicy.EXTEND_ONLY,
        client_settings={"theme": "dark", "nested": {"a": [1, 2]}},
        presence_settings={"away_after": 5},
    )
    async with uow:
        added = await uow.locations.add(location)
        second = await uow.locations.add(Location(name="Munich"))
        await uow.commit()
    assert added.id > 0
    assert second.id > added.id
    async with uow:
        loaded = await uow.locations.get(added.id)
        assert await uow.locations.get(second.id + 1000) is None
    assert loaded == added


async def test_location_update_and_delete(uow: SqlAlchemyUnitOfWork) -> None:
    async with uow:
        location = await uow.locations.add(Location(name="Old"))
        location.name = "New"
        location.client_settings = {"k": True}
        location.password_policy = PasswordPolicy(min_length=20)
        await uow.locations.update(location)
        assert await uow.locations.get(location.id) == location
        await uow.locations.delete(location.id)
        assert await uow.locations.get(location.id) is None


async def test_location_get_many_and_list(
    uow: SqlAlchemyUnitOfWork, make: Factory, count_statements: Any
) -> None:
    async with uow:
        c = await make.location(uow, "C")
        a = await make.location(uow, "A")
        b = await make.location(uow, "B")
        with count_statements() as counter:
            many = await uow.locations.get_many([c.id, a.id, c.id, 999_999])
        assert counter.count == 1
        assert many == {c.id: c, a.id: a}
        with count_statements() as counter:
            assert await uow.locations.get_many([]) == {}
        assert counter.count == 0
        assert [x.name for x in await uow.locations.list()] == ["A", "B", "C"]
        assert await uow.locations.list(frozenset({b.id, c.id})) == [b, c]
        assert await uow.locations.list(frozenset()) == []


async def test_location_names(uow: SqlAlchemyUnitOfWork, make: Factory) -> None:
    async with uow:
        location = await make.location(uow, "Hamburg")
        assert await uow.locations.name_taken("Hamburg")
        assert not await uow.locations.name_taken("hamburg ")
        assert not await uow.locations.name_taken("Hamburg", except_id=location.id)
        assert await uow.locations.name_taken("Hamburg", except_id=location.id + 1)
        with pytest.raises(IntegrityError):
            await make.location(uow, "Hamburg")


async def test_location_in_use(uow: SqlAlchemyUnitOfWork, make: Factory) -> None:
    async with uow:
        by_user, by_group, by_admin, free = [await make.location(uow) for _ in range(4)]
        await make.user(uow, by_user.id)
        await make.group(uow, by_group.id)
        await make.admin(uow, frozenset({by_admin.id}))
        assert await uow.locations.is_in_use(by_user.id)
        assert await uow.locations.is_in_use(by_group.id)
        assert await uow.locations.is_in_use(by_admin.id)
        assert not await uow.locations.is_in_use(free.id)
        await uow.locations.delete(free.id)
        await uow.commit()
    for used in (by_user, by_group, by_admin):
        with pytest.raises(IntegrityError):
            async with uow:
                await uow.locations.delete(used.id)


async def test_group_round_trip_keeps_inherit_apart_from_empty(
    uow: SqlAlchemyUnitOfWork, make: Factory
) -> None:
    async with uow:
        location = await make.location(uow)
        inherits = await uow.groups.add(ConfigurationGroup(location_id=location.id, name="I"))
        own = await uow.groups.add(
            ConfigurationGroup(
                location_id=location.id,
                name="O",
                description="own",
                default_relationship=RelationshipLevel.BLOCKED,
                client_settings={},
                presence_settings={"x": None},
            )
        )
        await uow.commit()
    async with uow:
        loaded_inherits = await uow.groups.get(inherits.id)
        loaded_own = await uow.groups.get(own.id)
        assert await uow.groups.get(own.id + 100) is None
    assert loaded_inherits == inherits
    assert loaded_inherits is not None
    assert loaded_inherits.client_settings is None
    assert loaded_inherits.default_relationship is None
    assert loaded_own == own
    assert loaded_own is not None
    assert loaded_own.client_settings == {}
    assert loaded_own.default_relationship is RelationshipLevel.BLOCKED


async def test_group_bulk_readers(
    uow: SqlAlchemyUnitOfWork, make: Factory, count_statements: Any
) -> None:
    async with uow:
        first, second, empty = [await make.location(uow) for _ in range(3)]
        b = await make.group(uow, first.id, "B")
        a = await make.group(uow, first.id, "A")
        c = await make.group(uow, second.id, "C")
        with count_statements() as counter:
            by_location = await uow.groups.for_locations([first.id, second.id, empty.id])
            many = await uow.groups.get_many([a.id, c.id, a.id])
        assert counter.count == 2
        assert by_location == {first.id: [a, b], second.id: [c]}
        assert many == {a.id: a, c.id: c}
        assert await uow.groups.for_locations([]) == {}
        assert await uow.groups.get_many([]) == {}


async def test_group_names_users_update_delete(uow: SqlAlchemyUnitOfWork, make: Factory) -> None:
    async with uow:
        location, other = await make.location(uow), await make.location(uow)
        group = await make.group(uow, location.id, "Sales")
        await make.group(uow, other.id, "Sales")
        assert await uow.groups.name_taken(location.id, "Sales")
        assert not await uow.groups.name_taken(location.id, "Support")
        with pytest.raises(IntegrityError):
            await make.group(uow, location.id, "Sales")
    async with uow:
        location = await make.location(uow)
        group = await make.group(uow, location.id)
        empty = await make.group(uow, location.id)
        await make.user(uow, location.id, configuration_group_id=group.id)
        assert await uow.groups.has_users(group.id)
        assert not await uow.groups.has_users(empty.id)
        empty.client_settings = {"a": 1}
        await uow.groups.update(empty)  # type: ignore[attr-defined]
        assert await uow.groups.get(empty.id) == empty
        await uow.groups.delete(empty.id)
        assert await uow.groups.get(empty.id) is None
        with pytest.raises(IntegrityError):
            await uow.groups.delete(group.id)

"""Locations and configuration groups."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row, delete, exists, or_, select, update

from domain.model import (
    ConfigurationGroup,
    Location,
    PasswordPolicy,
    RelationshipLevel,
    RelationshipPolicy,
)
from persistence.repositories._base import ByIds, Executor, distinct_ids, grouped
from persistence.tables import (
    administrator_locations,
    configuration_groups,
    locations,
    users,
)

L = locations.c
G = configuration_groups.c


def _location(row: Row[Any]) -> Location:
    return Location(
        id=row.id,
        name=row.name,
        description=row.description,
        password_policy=PasswordPolicy(
            min_length=row.pw_min_length,
            max_length=row.pw_max_length,
            require_uppercase=row.pw_require_uppercase,
            require_lowercase=row.pw_require_lowercase,
            require_digit=row.pw_require_digit,
            require_symbol=row.pw_require_symbol,
        ),
        default_relationship=RelationshipLevel[row.default_relationship],
        relationship_policy=RelationshipPolicy[row.relationship_policy],
        client_settings=dict(row.client_settings or {}),
        presence_settings=dict(row.presence_settings or {}),
    )


def _location_values(location: Location) -> dict[str, Any]:
    policy = location.password_policy
    return {
        "name": location.name,
        "description": location.description,
        "pw_min_length": policy.min_length,
        "pw_max_length": policy.max_length,
        "pw_require_uppercase": policy.require_uppercase,
        "pw_require_lowercase": policy.require_lowercase,
        "pw_require_digit": policy.require_digit,
        "pw_require_symbol": policy.require_symbol,
        "default_relationship": location.default_relationship.name,
        "relationship_policy": location.relationship_policy.name,
        "client_settings": dict(location.client_settings),
        "presence_settings": dict(location.presence_settings),
    }


_LOCATIONS_BY_ID = ByIds.of(L.id, lambda where: select(locations).where(where))


class SqlLocationRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def get(self, location_id: int) -> Location | None:
        return await self._ex.first(select(locations).where(L.id == location_id), _location)

    async def get_many(self, ids: Iterable[int]) -> dict[int, Location]:
        wanted = distinct_ids(ids)
        if not wanted:
            return {}
        result = await self._ex.execute_ids(_LOCATIONS_BY_ID, wanted)
        return {location.id: location for location in map(_location, result.all())}

    async def list(self, only_ids: frozenset[int] | None = None) -> list[Location]:
        stmt = select(locations).order_by(L.name, L.id)
        if only_ids is not None:
            if not only_ids:
                return []
            stmt = stmt.where(L.id.in_(sorted(only_ids)))
        return [_location(row) for row in await self._ex.execute(stmt)]

    async def add(self, location: Location) -> Location:
        location.id = await self._ex.insert_id(locations, _location_values(location))
        return location

    async def update(self, location: Location) -> None:
        await self._ex.execute(
            update(locations).where(L.id == location.id).values(_location_values(location))
        )

    async def delete(self, location_id: int) -> None:
        await self._ex.execute(delete(locations).where(L.id == location_id))

    async def name_taken(self, name: str, except_id: int | None = None) -> bool:
        condition = L.name == name
        if except_id is not None:
            condition = condition & (L.id != except_id)
        return await self._ex.exists(condition)

    async def is_in_use(self, location_id: int) -> bool:
        """True while users, configuration groups or sub-administrators belong to it.

        Sub-administrators count too: the database refuses to delete a
        location one of them is limited to.
        """
        stmt = select(
            or_(
                exists().where(users.c.location_id == location_id),
                exists().where(G.location_id == location_id),
                exists().where(administrator_locations.c.location_id == location_id),
            )
        )
        return bool((await self._ex.execute(stmt)).scalar_one())


# The columns _group unpacks, in its order (a users page maps a group per user).
_GROUP_COLUMNS = (
    G.id, G.location_id, G.name, G.description, G.default_relationship, G.client_settings,
    G.presence_settings,
)  # fmt: skip


def _group(row: Sequence[Any]) -> ConfigurationGroup:
    id, location_id, name, description, level, client_settings, presence_settings = row
    return ConfigurationGroup(
        id=id,
        location_id=location_id,
        name=name,
        description=description,
        default_relationship=None if level is None else RelationshipLevel[level],
        client_settings=None if client_settings is None else dict(client_settings),
        presence_settings=None if presence_settings is None else dict(presence_settings),
    )


def _group_values(group: ConfigurationGroup) -> dict[str, Any]:
    return {
        "location_id": group.location_id,
        "name": group.name,
        "description": group.description,
        "default_relationship": (
            None if group.default_relationship is None else group.default_relationship.name
        ),
        "client_settings": None if group.client_settings is None else dict(group.client_settings),
        "presence_settings": (
            None if group.presence_settings is None else dict(group.presence_settings)
        ),
    }


_GROUPS_BY_ID = ByIds.of(G.id, lambda where: select(*_GROUP_COLUMNS).where(where))


class SqlConfigurationGroupRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def get(self, group_id: int) -> ConfigurationGroup | None:
        return await self._ex.first(select(*_GROUP_COLUMNS).where(G.id == group_id), _group)

    async def get_many(self, ids: Iterable[int]) -> dict[int, ConfigurationGroup]:
        wanted = distinct_ids(ids)
        if not wanted:
            return {}
        result = await self._ex.execute_ids(_GROUPS_BY_ID, wanted)
        return {group.id: group for group in map(_group, result.all())}

    async def for_locations(
        self, location_ids: Iterable[int]
    ) -> dict[int, list[ConfigurationGroup]]:
        """The groups of each location, by name; locations without groups are absent."""
        wanted = distinct_ids(location_ids)
        if not wanted:
            return {}
        stmt = (
            select(*_GROUP_COLUMNS)
            .where(G.location_id.in_(wanted))
            .order_by(G.location_id, G.name, G.id)
        )
        return grouped((row.location_id, _group(row)) for row in await self._ex.execute(stmt))

    async def add(self, group: ConfigurationGroup) -> ConfigurationGroup:
        group.id = await self._ex.insert_id(configuration_groups, _group_values(group))
        return group

    async def update(self, group: ConfigurationGroup) -> None:
        """Not in the port yet; stores every field of the group."""
        await self._ex.execute(
            update(configuration_groups).where(G.id == group.id).values(_group_values(group))
        )

    async def delete(self, group_id: int) -> None:
        await self._ex.execute(delete(configuration_groups).where(G.id == group_id))

    async def name_taken(self, location_id: int, name: str) -> bool:
        return await self._ex.exists(G.location_id == location_id, G.name == name)

    async def has_users(self, group_id: int) -> bool:
        return await self._ex.exists(users.c.configuration_group_id == group_id)

"""Configuration groups, in their locations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, select, update

from domain.model import (
    ConfigurationGroup,
    RelationshipLevel,
)
from persistence.repositories._base import ByIds, Executor, columns, distinct_ids, grouped
from persistence.tables import (
    configuration_groups,
    users,
)

# The columns _group unpacks, in its order (a users page maps a group per user).
_GROUP_COLUMNS = columns(
    configuration_groups, "id", "location_id", "name", "description", "default_relationship",
    "client_settings", "presence_settings",
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


_GROUPS_BY_ID = ByIds.of(
    configuration_groups.c.id, lambda where: select(*_GROUP_COLUMNS).where(where)
)


class SqlConfigurationGroupRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def get(self, group_id: int) -> ConfigurationGroup | None:
        return await self._ex.first(
            select(*_GROUP_COLUMNS).where(configuration_groups.c.id == group_id), _group
        )

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
            .where(configuration_groups.c.location_id.in_(wanted))
            .order_by(
                configuration_groups.c.location_id,
                configuration_groups.c.name,
                configuration_groups.c.id,
            )
        )
        return grouped((row.location_id, _group(row)) for row in await self._ex.execute(stmt))

    async def add(self, group: ConfigurationGroup) -> ConfigurationGroup:
        group.id = await self._ex.insert_id(configuration_groups, _group_values(group))
        return group

    async def update(self, group: ConfigurationGroup) -> None:
        """Stores every field of the group."""
        await self._ex.execute(
            update(configuration_groups)
            .where(configuration_groups.c.id == group.id)
            .values(_group_values(group))
        )

    async def delete(self, group_id: int) -> None:
        await self._ex.execute(
            delete(configuration_groups).where(configuration_groups.c.id == group_id)
        )

    async def name_taken(self, location_id: int, name: str) -> bool:
        return await self._ex.exists(
            configuration_groups.c.location_id == location_id, configuration_groups.c.name == name
        )

    async def has_users(self, group_id: int) -> bool:
        return await self._ex.exists(users.c.configuration_group_id == group_id)

"""Locations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row, delete, exists, or_, select, update

from domain.model import (
    Location,
    PasswordPolicy,
    RelationshipLevel,
    RelationshipPolicy,
)
from persistence.repositories._base import ByIds, Executor, distinct_ids
from persistence.tables import (
    administrator_locations,
    configuration_groups,
    locations,
    users,
)


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
        language=row.language,
        sign_in_hint=row.sign_in_hint,
        password_link=row.password_link,
        forgot_password=row.forgot_password,
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
        "language": location.language,
        "sign_in_hint": location.sign_in_hint,
        "password_link": location.password_link,
        "forgot_password": location.forgot_password,
    }


_LOCATIONS_BY_ID = ByIds.of(locations.c.id, lambda where: select(locations).where(where))


class SqlLocationRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def get(self, location_id: int) -> Location | None:
        return await self._ex.first(
            select(locations).where(locations.c.id == location_id), _location
        )

    async def get_many(self, ids: Iterable[int]) -> dict[int, Location]:
        wanted = distinct_ids(ids)
        if not wanted:
            return {}
        result = await self._ex.execute_ids(_LOCATIONS_BY_ID, wanted)
        return {location.id: location for location in map(_location, result.all())}

    async def list(self, only_ids: frozenset[int] | None = None) -> list[Location]:
        stmt = select(locations).order_by(locations.c.name, locations.c.id)
        if only_ids is not None:
            if not only_ids:
                return []
            stmt = stmt.where(locations.c.id.in_(sorted(only_ids)))
        return [_location(row) for row in await self._ex.execute(stmt)]

    async def add(self, location: Location) -> Location:
        location.id = await self._ex.insert_id(locations, _location_values(location))
        return location

    async def update(self, location: Location) -> None:
        await self._ex.execute(
            update(locations)
            .where(locations.c.id == location.id)
            .values(_location_values(location))
        )

    async def delete(self, location_id: int) -> None:
        await self._ex.execute(delete(locations).where(locations.c.id == location_id))

    async def name_taken(self, name: str, except_id: int | None = None) -> bool:
        condition = locations.c.name == name
        if except_id is not None:
            condition = condition & (locations.c.id != except_id)
        return await self._ex.exists(condition)

    async def is_in_use(self, location_id: int) -> bool:
        """True while users, configuration groups or sub-administrators belong to it.

        Sub-administrators count too: the database refuses to delete a
        location one of them is limited to.
        """
        stmt = select(
            or_(
                exists().where(users.c.location_id == location_id),
                exists().where(configuration_groups.c.location_id == location_id),
                exists().where(administrator_locations.c.location_id == location_id),
            )
        )
        return bool((await self._ex.execute(stmt)).scalar_one())

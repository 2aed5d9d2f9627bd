"""Bulk twins of the resolvers on the hot read path, for compiled execution.

The compiled executor resolves one field for all objects of a level at once: a
twin takes the parents and returns one value per parent. A twin of a field
below the root calls the field's batch function (gql/batches.py), the one its
Strawberry resolver reaches through a DataLoader, and only makes the GraphQL
objects, each distinct one once. A field with a resolver and no twin here is
simply not compiled.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from domain import model
from domain.principals import Principal
from domain.services.registry import Services
from gql import batches
from gql.context import Context
from gql.locations.types import ConfigurationGroup, Location
from gql.relay import Paging
from gql.teams.types import Team
from gql.users.types import users_connection


class Reads:
    """One compiled execution's reads (a ``batches.Reader``): the caller, one read
    transaction, and the locations and groups read so far (several fields need the
    same ones)."""

    def __init__(self, ctx: Context, services: Services) -> None:
        self.ctx = ctx
        self._services = services
        self._locations: dict[int, model.Location] = {}
        self._groups: dict[int, model.ConfigurationGroup] = {}

    @property
    def principal(self) -> Principal:
        return self.ctx.principal

    def services(self) -> Services:
        return self._services

    async def locations(self, ids: Collection[int]) -> Mapping[int, model.Location]:
        missing = [i for i in ids if i not in self._locations]
        if missing:
            self._locations.update(await self._services.lookups.locations_by_id(missing))
        return self._locations

    async def groups(self, ids: Collection[int]) -> Mapping[int, model.ConfigurationGroup]:
        missing = [i for i in ids if i not in self._groups]
        if missing:
            self._groups.update(await self._services.lookups.groups_by_id(missing))
        return self._groups


BulkField = Callable[[Reads, Sequence[Any]], Awaitable[Sequence[Any]]]
# A root field: its arguments (Python names, converted by Strawberry) and the names
# of the fields selected on its result.
RootField = Callable[[Reads, dict[str, Any], frozenset[str]], Awaitable[Any]]
Batch = Callable[[Reads, Sequence[Any]], Awaitable[Sequence[Any]]]


def _made_once(make: Callable[[Any], Any], entities: Iterable[Any]) -> dict[int, Any]:
    """GraphQL objects made from domain entities, one per entity id: a location or a
    team shared by many users of the page is made once."""
    distinct = {entity.id: entity for entity in entities}
    return {id_: make(entity) for id_, entity in distinct.items()}


def _one_each(batch: Batch, make: Callable[[Any], Any]) -> BulkField:
    """The twin of a field of one (or no) object per parent."""

    async def twin(reads: Reads, parents: Sequence[Any]) -> list[Any]:
        found = await batch(reads, [p.entity for p in parents])
        made = _made_once(make, (entity for entity in found if entity is not None))
        return [None if entity is None else made[entity.id] for entity in found]

    return twin


def _list_each(batch: Batch, make: Callable[[Any], Any]) -> BulkField:
    """The twin of a field of a list of objects per parent."""

    async def twin(reads: Reads, parents: Sequence[Any]) -> list[list[Any]]:
        found = await batch(reads, [p.entity for p in parents])
        made = _made_once(make, (entity for entities in found for entity in entities))
        return [[made[entity.id] for entity in entities] for entities in found]

    return twin


def _value_each(batch: Batch) -> BulkField:
    """The twin of a field whose value is the batch function's (an enum, a scalar)."""

    async def twin(reads: Reads, parents: Sequence[Any]) -> Sequence[Any]:
        return await batch(reads, [p.entity for p in parents])

    return twin


async def _users(reads: Reads, args: dict[str, Any], selected: frozenset[str]) -> Any:
    return await users_connection(
        reads.ctx,
        reads.services(),
        Paging.of(args),
        args.get("filter"),
        # count(*) over the matching users only when the client asks for it.
        with_total="totalCount" in selected,
    )


async def _locations(reads: Reads, args: dict[str, Any], selected: frozenset[str]) -> Any:
    found = await reads.services().locations.list_locations(reads.principal)
    return [Location.from_domain(loc) for loc in found]


# (GraphQL type, GraphQL field) -> twin.
BULK_FIELDS: dict[tuple[str, str], BulkField] = {
    ("User", "location"): _one_each(batches.locations_of, Location.from_domain),
    ("User", "configurationGroup"): _one_each(batches.groups_of, ConfigurationGroup.from_domain),
    ("User", "teams"): _list_each(batches.teams_of, Team.from_domain),
    ("User", "defaultRelationship"): _value_each(batches.default_relationships_of),
    ("ConfigurationGroup", "location"): _one_each(batches.locations_of, Location.from_domain),
    ("Location", "configurationGroups"): _list_each(
        batches.groups_in, ConfigurationGroup.from_domain
    ),
}

# GraphQL field -> (twin, the arguments it understands): a field with others is
# not compiled, so an argument added later is never silently ignored.
ROOT_FIELDS: dict[str, tuple[RootField, frozenset[str]]] = {
    "users": (_users, frozenset({"first", "after", "last", "before", "filter"})),
    "locations": (_locations, frozenset()),
}

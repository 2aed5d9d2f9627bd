"""Bulk twins of the resolvers on the hot read path, for compiled execution.

The compiled executor (gql/compiled.py) resolves one field for all objects of
a level at once: a twin takes the parents and returns one value per parent,
reading what it needs in one statement. Each twin answers exactly what its
Strawberry resolver in gql/types.py or gql/query.py answers (a test compares
the two paths field by field); a field with a resolver and no twin here is
simply not compiled.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from typing import Any

from domain import model
from domain.rules import scope_default
from domain.services.registry import Services
from domain.services.users import sees_private
from gql.context import Context
from gql.enums import RelationshipLevel
from gql.graph import ConfigurationGroup, Location, Team, User, users_connection


class Reads:
    """One compiled execution's reads: the caller, one read transaction, and the
    locations and groups read so far (several fields need the same ones)."""

    def __init__(self, ctx: Context, services: Services) -> None:
        self.ctx = ctx
        self.services = services
        self._locations: dict[int, model.Location] = {}
        self._groups: dict[int, model.ConfigurationGroup] = {}

    async def locations(self, ids: Collection[int]) -> Mapping[int, model.Location]:
        missing = [i for i in ids if i not in self._locations]
        if missing:
            self._locations.update(await self.services.lookups.locations_by_id(missing))
        return self._locations

    async def groups(self, ids: Collection[int]) -> Mapping[int, model.ConfigurationGroup]:
        missing = [i for i in ids if i not in self._groups]
        if missing:
            self._groups.update(await self.services.lookups.groups_by_id(missing))
        return self._groups


BulkField = Callable[[Reads, Sequence[Any]], Awaitable[Sequence[Any]]]
# A root field: its arguments (Python names, converted by Strawberry) and the names
# of the fields selected on its result.
RootField = Callable[[Reads, dict[str, Any], frozenset[str]], Awaitable[Any]]


async def _user_locations(reads: Reads, users: Sequence[User]) -> list[Location]:
    found = await reads.locations({u.entity.location_id for u in users})
    made = {pk: Location.from_domain(found[pk]) for pk in {u.entity.location_id for u in users}}
    return [made[u.entity.location_id] for u in users]


async def _user_groups(reads: Reads, users: Sequence[User]) -> list[ConfigurationGroup | None]:
    ids = {u.entity.configuration_group_id for u in users} - {None}
    found = await reads.groups([i for i in ids if i is not None])
    made = {pk: ConfigurationGroup.from_domain(g) for pk, g in found.items() if pk in ids}
    return [
        None
        if u.entity.configuration_group_id is None
        else made.get(u.entity.configuration_group_id)
        for u in users
    ]


def _private(reads: Reads, users: Sequence[User]) -> list[bool]:
    """Per user, whether the caller reads what derives from it: the one read rule of
    the twins, as in the resolvers of gql/types.py (``sees_private``)."""
    actor = reads.ctx.principal
    return [sees_private(actor, u.entity) for u in users]


async def _user_teams(reads: Reads, users: Sequence[User]) -> list[list[Team]]:
    private = _private(reads, users)
    ids = [u.entity.id for u, p in zip(users, private, strict=True) if p]
    found = await reads.services.lookups.teams_by_member(ids) if ids else {}
    # A team shared by many users of the page is made once.
    distinct = {info.id: info for infos in found.values() for info in infos}
    made = {pk: Team.from_domain(info) for pk, info in distinct.items()}
    return [[made[info.id] for info in found.get(u.entity.id, ())] for u in users]


async def _user_default_relationships(
    reads: Reads, users: Sequence[User]
) -> list[RelationshipLevel | None]:
    locations = await reads.locations({u.entity.location_id for u in users})
    group_ids = {u.entity.configuration_group_id for u in users} - {None}
    groups = await reads.groups([i for i in group_ids if i is not None])
    levels: list[RelationshipLevel | None] = []
    for u, private in zip(users, _private(reads, users), strict=True):
        entity = u.entity
        if entity.is_vip or not private:
            levels.append(None)
            continue
        group_id = entity.configuration_group_id
        group = None if group_id is None else groups.get(group_id)
        default = scope_default(entity, locations[entity.location_id], group)
        levels.append(None if default is None else default.level)
    return levels


async def _group_locations(reads: Reads, groups: Sequence[ConfigurationGroup]) -> list[Location]:
    found = await reads.locations({g.location_pk for g in groups})
    made = {pk: Location.from_domain(found[pk]) for pk in {g.location_pk for g in groups}}
    return [made[g.location_pk] for g in groups]


async def _location_groups(
    reads: Reads, locations: Sequence[Location]
) -> list[list[ConfigurationGroup]]:
    found = await reads.services.lookups.groups_by_location(
        reads.ctx.principal, [loc.pk for loc in locations]
    )
    return [[ConfigurationGroup.from_domain(g) for g in found.get(loc.pk, [])] for loc in locations]


async def _users(reads: Reads, args: dict[str, Any], selected: frozenset[str]) -> Any:
    return await users_connection(
        reads.ctx,
        reads.services,
        args.get("first"),
        args.get("after"),
        args.get("filter"),
        # count(*) over the matching users only when the client asks for it.
        with_total="totalCount" in selected,
    )


async def _locations(reads: Reads, args: dict[str, Any], selected: frozenset[str]) -> Any:
    found = await reads.services.locations.list_locations(reads.ctx.principal)
    return [Location.from_domain(loc) for loc in found]


# (GraphQL type, GraphQL field) -> twin.
BULK_FIELDS: dict[tuple[str, str], BulkField] = {
    ("User", "location"): _user_locations,
    ("User", "configurationGroup"): _user_groups,
    ("User", "teams"): _user_teams,
    ("User", "defaultRelationship"): _user_default_relationships,
    ("ConfigurationGroup", "location"): _group_locations,
    ("Location", "configurationGroups"): _location_groups,
}

# GraphQL field -> (twin, the arguments it understands): a field with others is
# not compiled, so an argument added later is never silently ignored.
ROOT_FIELDS: dict[str, tuple[RootField, frozenset[str]]] = {
    "users": (_users, frozenset({"first", "after", "filter"})),
    "locations": (_locations, frozenset()),
}

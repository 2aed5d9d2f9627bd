"""One batch function per field that loads something or applies a rule.

Each takes the parents of a level (domain entities) and returns one value per
parent. The Strawberry path calls it through a DataLoader (gql/loaders.py), the
compiled path calls it directly (gql/compiled/bulk.py): a rule written here
reaches both paths, and is written nowhere else.

They read through a ``Reader``: the request's DataLoaders on the Strawberry
path, one compiled execution's reads on the other, so that locations and
groups read for one field are not read again for another.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Protocol

from domain import model, visibility
from domain.rules import scope_default
from gql.caller import Caller


class Reader(Caller, Protocol):
    """A caller that also reads locations and groups, each once per request."""

    async def locations(self, ids: Collection[int]) -> Mapping[int, model.Location]: ...

    async def groups(self, ids: Collection[int]) -> Mapping[int, model.ConfigurationGroup]: ...


class Located(Protocol):
    @property
    def location_id(self) -> int: ...


async def locations_of(reader: Reader, located: Sequence[Located]) -> list[model.Location]:
    """A user's or a configuration group's location."""
    found = await reader.locations({x.location_id for x in located})
    return [found[x.location_id] for x in located]


async def groups_of(
    reader: Reader, users: Sequence[model.User]
) -> list[model.ConfigurationGroup | None]:
    ids = {u.configuration_group_id for u in users}
    found = await reader.groups([i for i in ids if i is not None])
    return [
        None if u.configuration_group_id is None else found.get(u.configuration_group_id)
        for u in users
    ]


def _private(reader: Reader, users: Sequence[model.User]) -> list[model.User]:
    """The users whose private fields the caller reads (the domain decides)."""
    return visibility.wholly_visible_users(reader.principal, users)


async def teams_of(reader: Reader, users: Sequence[model.User]) -> list[list[model.TeamInfo]]:
    """A user's teams; none for a user whose private fields the caller does not read."""
    ids = [u.id for u in _private(reader, users)]
    found = await reader.services().lookups.teams_by_member(ids) if ids else {}
    return [found.get(u.id, []) for u in users]


async def default_relationships_of(
    reader: Reader, users: Sequence[model.User]
) -> list[model.RelationshipLevel | None]:
    """The level a user grants its location by default (``scope_default``: none for a
    VIP); none for a user whose private fields the caller does not read."""
    private = _private(reader, users)
    locations = await locations_of(reader, private)
    groups = await groups_of(reader, private)
    levels: dict[int, model.RelationshipLevel] = {}
    for user, location, group in zip(private, locations, groups, strict=True):
        default = scope_default(user, location, group)
        if default is not None:
            levels[user.id] = default.level
    return [levels.get(u.id) for u in users]


async def groups_in(
    reader: Reader, locations: Sequence[model.Location]
) -> list[list[model.ConfigurationGroup]]:
    """A location's configuration groups that the caller sees."""
    found = await reader.services().lookups.groups_by_location(
        reader.principal, [loc.id for loc in locations]
    )
    return [found.get(loc.id, []) for loc in locations]

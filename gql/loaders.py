"""DataLoaders, made per request: every nested field of a page costs one
statement per batch, however many users the page holds.

A loaded value is shared: every field that asks for the same key awaits the same
future. A field whose task is cancelled (a sibling failed, the client left) must
not cancel that future under the other fields, so each caller awaits it through a
shield of its own (``SharedLoader``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from functools import partial
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from domain.model import (
    Administrator,
    ConfigurationGroup,
    Contact,
    DirectoryDataSource,
    Location,
    OutgoingMail,
    RelationshipLevel,
    TeamInfo,
    User,
)
from domain.principals import Principal
from domain.rules import EffectiveRelationship
from domain.services.registry import Services
from gql import batches
from gql.caller import Caller

K = TypeVar("K")
V = TypeVar("V")
E = TypeVar("E")


def _by_key(
    fetch: Callable[[list[int]], Awaitable[dict[int, V]]],
) -> Callable[[list[int]], Awaitable[list[V | None]]]:
    async def load(keys: list[int]) -> list[V | None]:
        found = await fetch(keys)
        return [found.get(k) for k in keys]

    return load


def _counts_by_key(
    fetch: Callable[[list[int]], Awaitable[dict[int, int]]],
) -> Callable[[list[int]], Awaitable[list[int]]]:
    async def load(keys: list[int]) -> list[int]:
        found = await fetch(keys)
        return [found.get(k, 0) for k in keys]

    return load


def _lists_by_key(
    fetch: Callable[[list[int]], Awaitable[dict[int, list[V]]]],
) -> Callable[[list[int]], Awaitable[list[list[V]]]]:
    async def load(keys: list[int]) -> list[list[V]]:
        found = await fetch(keys)
        return [found.get(k, []) for k in keys]

    return load


class SharedLoader(DataLoader[K, V]):
    """A DataLoader whose callers cannot cancel the batch or the cached value for each
    other: cancelling one caller's wait cancels only that wait."""

    def load(self, key: K) -> Awaitable[V]:
        # shield() hands out the future itself once it is done: no cost when cached.
        return asyncio.shield(super().load(key))


def _found(keys: list[int], values: list[V | None]) -> dict[int, V]:
    return {k: v for k, v in zip(keys, values, strict=True) if v is not None}


def _entity_id(entity: Any) -> Any:
    return entity.id


class Loaders:
    """One loader per kind of key, named after what it loads by what; and one per
    field of gql/batches.py, keyed by the parent entity (cached by id).

    Also the batch functions' ``Reader``: they read locations and groups through
    the loaders below, shared with every other field of the request."""

    def __init__(self, ctx: Caller) -> None:
        self._ctx = ctx
        actor = ctx.principal

        async def relationships_by_owner(
            owners: Sequence[User],
        ) -> list[list[tuple[EffectiveRelationship, User]]]:
            found = await ctx.services().relationships.relationships_of(actor, owners)
            return [found.get(o.id, []) for o in owners]

        self.location_by_id: DataLoader[int, Location | None] = SharedLoader(
            _by_key(lambda ids: ctx.services().lookups.locations_by_id(ids))
        )
        self.group_by_id: DataLoader[int, ConfigurationGroup | None] = SharedLoader(
            _by_key(lambda ids: ctx.services().lookups.groups_by_id(ids))
        )
        self.user_by_id: DataLoader[int, User | None] = SharedLoader(
            _by_key(lambda ids: ctx.services().lookups.users_by_id(actor, ids))
        )
        self.member_ids_by_team_id: DataLoader[int, list[int]] = SharedLoader(
            _lists_by_key(lambda ids: ctx.services().lookups.member_ids_by_team(ids))
        )
        self.contacts_by_owner_id: DataLoader[int, list[Contact]] = SharedLoader(
            _lists_by_key(lambda ids: ctx.services().lookups.contacts_by_owner(ids))
        )

        async def mails_to_user(users: Sequence[User]) -> list[list[OutgoingMail]]:
            found = await ctx.services().lookups.mails_to(actor, users)
            return [found.get(u.id, []) for u in users]

        self.mails_to_user: DataLoader[User, list[OutgoingMail]] = SharedLoader(
            mails_to_user, cache_key_fn=_entity_id
        )
        self.data_source_by_id: DataLoader[int, DirectoryDataSource | None] = SharedLoader(
            _by_key(lambda ids: ctx.services().lookups.data_sources_by_id(ids))
        )
        # The contacts from each source in the lists the caller reads: one grouped count.
        self.contact_count_by_data_source_id: DataLoader[int, int] = SharedLoader(
            _counts_by_key(
                lambda ids: ctx.services().lookups.contact_counts_by_data_source(actor, ids)
            )
        )
        self.administrator_by_id: DataLoader[int, Administrator | None] = SharedLoader(
            _by_key(lambda ids: ctx.services().lookups.administrators_by_id(actor, ids))
        )
        # Keyed by the user entity itself (cached by id): the page already holds it.
        self.relationships_by_owner: DataLoader[User, list[tuple[EffectiveRelationship, User]]] = (
            SharedLoader(relationships_by_owner, cache_key_fn=_entity_id)
        )
        self.location_of_user: DataLoader[User, Location] = self._per_entity(batches.locations_of)
        self.group_of_user: DataLoader[User, ConfigurationGroup | None] = self._per_entity(
            batches.groups_of
        )
        self.teams_of_user: DataLoader[User, list[TeamInfo]] = self._per_entity(batches.teams_of)
        self.default_relationship_of_user: DataLoader[User, RelationshipLevel | None] = (
            self._per_entity(batches.default_relationships_of)
        )
        self.location_of_group: DataLoader[ConfigurationGroup, Location] = self._per_entity(
            batches.locations_of
        )
        self.groups_in_location: DataLoader[Location, list[ConfigurationGroup]] = self._per_entity(
            batches.groups_in
        )

    def _per_entity(
        self, batch: Callable[[batches.Reader, Sequence[E]], Awaitable[list[V]]]
    ) -> DataLoader[E, V]:
        return SharedLoader(partial(batch, self), cache_key_fn=_entity_id)

    @property
    def principal(self) -> Principal:
        return self._ctx.principal

    def services(self) -> Services:
        return self._ctx.services()

    async def locations(self, ids: Collection[int]) -> Mapping[int, Location]:
        keys = list(ids)
        return _found(keys, await self.location_by_id.load_many(keys))

    async def groups(self, ids: Collection[int]) -> Mapping[int, ConfigurationGroup]:
        keys = list(ids)
        return _found(keys, await self.group_by_id.load_many(keys))

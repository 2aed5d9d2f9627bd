"""Bulk look-ups by id for the API's DataLoaders: one statement per batch.

What a caller may not see is left out, as if it did not exist; a colleague comes as
its directory entry (``users.as_read_by``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.model import (
    Administrator,
    ConfigurationGroup,
    Contact,
    DirectoryDataSource,
    Location,
    TeamInfo,
    User,
)
from domain.ports import UnitOfWork
from domain.principals import AdminPrincipal, Principal
from domain.services.users import as_read_by, sees_user


@dataclass(frozen=True)
class Lookups:
    """Batch reads by id for the API's data loaders."""

    uow: UnitOfWork

    async def locations_by_id(self, ids: Sequence[int]) -> dict[int, Location]:
        """Locations reached through a visible user or group are visible too."""
        async with self.uow.reading() as uow:
            return await uow.locations.get_many(ids)

    async def groups_by_id(self, ids: Sequence[int]) -> dict[int, ConfigurationGroup]:
        async with self.uow.reading() as uow:
            return await uow.groups.get_many(ids)

    async def groups_by_location(
        self, actor: Principal, location_ids: Sequence[int]
    ) -> dict[int, list[ConfigurationGroup]]:
        """A location's groups are for administrators: a Connect Client user reads a
        location (its own, a colleague's) without them."""
        if not isinstance(actor, AdminPrincipal):
            return {}
        async with self.uow.reading() as uow:
            return await uow.groups.for_locations(location_ids)

    async def users_by_id(self, actor: Principal, ids: Sequence[int]) -> dict[int, User]:
        async with self.uow.reading() as uow:
            users = await uow.users.get_many(ids)
        return {i: as_read_by(actor, u) for i, u in users.items() if sees_user(actor, u)}

    async def teams_by_member(self, user_ids: Sequence[int]) -> dict[int, list[TeamInfo]]:
        """Without member lists: a page of users must not read every member of every team."""
        async with self.uow.reading() as uow:
            return await uow.teams.infos_for_members(user_ids)

    async def member_ids_by_team(self, team_ids: Sequence[int]) -> dict[int, list[int]]:
        async with self.uow.reading() as uow:
            return await uow.teams.member_ids(team_ids)

    async def contacts_by_owner(self, owner_ids: Sequence[int]) -> dict[int, list[Contact]]:
        async with self.uow.reading() as uow:
            return await uow.contacts.for_owners(owner_ids)

    async def data_sources_by_id(self, ids: Sequence[int]) -> dict[int, DirectoryDataSource]:
        async with self.uow.reading() as uow:
            return await uow.data_sources.get_many(ids)

    async def administrators_by_id(
        self, actor: Principal, ids: Sequence[int]
    ) -> dict[int, Administrator]:
        if not isinstance(actor, AdminPrincipal):
            return {}
        async with self.uow.reading() as uow:
            admins = await uow.administrators.get_many(ids)
        return {i: a for i, a in admins.items() if actor.is_system or i == actor.admin_id}

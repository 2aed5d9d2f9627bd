"""Bulk look-ups by id for the API's DataLoaders: one statement per batch.

What a caller may not see is left out, as if it did not exist; a colleague comes as
its directory entry (``visibility.as_read_by``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain import visibility
from domain.model import (
    Administrator,
    ConfigurationGroup,
    Contact,
    DirectoryDataSource,
    Location,
    OutgoingMail,
    TeamInfo,
    User,
)
from domain.ports import UnitOfWork
from domain.principals import AdminPrincipal, Principal

# How many of a user's latest mails its details show.
MAILS_SHOWN = 10


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
        if not visibility.sees_groups_of_locations(actor):
            return {}
        async with self.uow.reading() as uow:
            return await uow.groups.for_locations(location_ids)

    async def users_by_id(self, actor: Principal, ids: Sequence[int]) -> dict[int, User]:
        async with self.uow.reading() as uow:
            users = await uow.users.get_many(ids)
        return {
            i: visibility.as_read_by(actor, u)
            for i, u in users.items()
            if visibility.sees_user(actor, u)
        }

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

    async def mails_to(
        self, actor: Principal, users: Sequence[User]
    ) -> dict[int, list[OutgoingMail]]:
        """The newest MAILS_SHOWN mails to each user the actor may follow
        (``visibility.sees_mail_to``), newest first."""
        shown = [u.id for u in users if visibility.sees_mail_to(actor, u)]
        if not shown:
            return {}
        async with self.uow.reading() as uow:
            return await uow.outbox.latest_to(shown, MAILS_SHOWN)

    async def data_sources_by_id(self, ids: Sequence[int]) -> dict[int, DirectoryDataSource]:
        async with self.uow.reading() as uow:
            return await uow.data_sources.get_many(ids)

    async def contact_counts_by_data_source(
        self, actor: Principal, source_ids: Sequence[int]
    ) -> dict[int, int]:
        """The contacts from each source in the contact lists the actor reads whole
        (``visibility.contact_lists_read``); a source with none is absent."""
        owners = visibility.contact_lists_read(actor)
        if owners is None:
            return {}
        async with self.uow.reading() as uow:
            return await uow.contacts.count_by_data_source(source_ids, owners)

    async def administrators_by_id(
        self, actor: Principal, ids: Sequence[int]
    ) -> dict[int, Administrator]:
        if not isinstance(actor, AdminPrincipal):
            return {}
        async with self.uow.reading() as uow:
            admins = await uow.administrators.get_many(ids)
        return {i: a for i, a in admins.items() if visibility.sees_administrator(actor, i)}

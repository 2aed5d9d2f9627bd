"""Users' contact lists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Row,
    and_,
    delete,
    func,
    select,
)

from domain.model import (
    Contact,
)
from domain.ports import ContactOwners
from persistence.repositories._base import (
    ByIds,
    Executor,
    distinct_ids,
    from_row,
    grouped,
    row_values,
)
from persistence.tables import (
    contacts,
    directory_data_sources,
    users,
)


def _contact(row: Row[Any]) -> Contact:
    return from_row(Contact, row)


_CONTACTS_OF = ByIds.of(
    contacts.c.owner_id,
    lambda owners: select(contacts).where(owners).order_by(contacts.c.owner_id, contacts.c.id),
)
_INACTIVE_CONTACTS_OF = ByIds.of(
    contacts.c.owner_id,
    lambda owners: (
        select(contacts)
        .join(directory_data_sources, directory_data_sources.c.id == contacts.c.data_source_id)
        .where(owners, directory_data_sources.c.active.is_(False))
        .order_by(contacts.c.id)
    ),
)


class SqlContactRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def for_owners(self, owner_ids: Iterable[int]) -> dict[int, list[Contact]]:
        """Each owner's contacts in the order they were added; empty lists are absent."""
        wanted = distinct_ids(owner_ids)
        if not wanted:
            return {}
        rows = await self._ex.execute_ids(_CONTACTS_OF, wanted)
        return grouped((row.owner_id, _contact(row)) for row in rows)

    async def add(self, contact: Contact) -> Contact:
        contact.id = await self._ex.insert_id(contacts, row_values(contact, contacts))
        return contact

    async def exists(self, contact: Contact) -> bool:
        if contact.user_id is not None:
            same = contacts.c.user_id == contact.user_id
        elif contact.data_source_id is not None and contact.external_id is not None:
            same = and_(
                contacts.c.data_source_id == contact.data_source_id,
                contacts.c.external_id == contact.external_id,
            )
        else:
            return False
        return await self._ex.exists(contacts.c.owner_id == contact.owner_id, same)

    async def from_inactive_sources(self, owner_id: int) -> list[Contact]:
        return await self.from_inactive_sources_of([owner_id])

    async def from_inactive_sources_of(self, owner_ids: Iterable[int]) -> list[Contact]:
        wanted = distinct_ids(owner_ids)
        if not wanted:
            return []
        return [_contact(row) for row in await self._ex.execute_ids(_INACTIVE_CONTACTS_OF, wanted)]

    async def count_by_data_source(
        self, source_ids: Iterable[int], owners: ContactOwners
    ) -> dict[int, int]:
        wanted = distinct_ids(source_ids)
        if not wanted or (owners.location_ids is not None and not owners.location_ids):
            return {}
        stmt = (
            select(contacts.c.data_source_id, func.count().label("contacts"))
            .where(contacts.c.data_source_id.in_(wanted))
            .group_by(contacts.c.data_source_id)
        )
        if owners.user_id is not None:
            stmt = stmt.where(contacts.c.owner_id == owners.user_id)
        if owners.location_ids is not None:
            stmt = stmt.join(users, users.c.id == contacts.c.owner_id).where(
                users.c.location_id.in_(sorted(owners.location_ids))
            )
        return {row.data_source_id: int(row.contacts) for row in await self._ex.execute(stmt)}

    async def remove(self, contact_ids: Iterable[int]) -> int:
        wanted = distinct_ids(contact_ids)
        if not wanted:
            return 0
        result = await self._ex.execute(delete(contacts).where(contacts.c.id.in_(wanted)))
        return int(result.rowcount)

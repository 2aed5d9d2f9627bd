"""Own relationships and contact lists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy.exc import IntegrityError

from domain.model import Contact, DirectoryDataSource, RelationshipLevel
from persistence.unit_of_work import SqlAlchemyUnitOfWork

if TYPE_CHECKING:
    from tests.integration.conftest import Factory

L = RelationshipLevel


async def test_set_replaces_and_own_for_is_one_statement(
    uow: SqlAlchemyUnitOfWork, make: Factory, count_statements: Any
) -> None:
    async with uow:
        location = await make.location(uow)
        a, b, c, d = [await make.user(uow, location.id) for _ in range(4)]
        await uow.relationships.set(a.id, b.id, L.BLOCKED)
        await uow.relationships.set(a.id, b.id, L.ASSISTANT_PLUS)
        await uow.relationships.set(a.id, c.id, L.UNKNOWN)
        await uow.relationships.set(b.id, a.id, L.EMPLOYEE)
        await uow.commit()
    async with uow:
        with count_statements() as counter:
            own = await uow.relationships.own_for([a.id, b.id, d.id, a.id])
        assert counter.count == 1
        assert await uow.relationships.own_for([]) == {}
    assert own == {a.id: {b.id: L.ASSISTANT_PLUS, c.id: L.UNKNOWN}, b.id: {a.id: L.EMPLOYEE}}


async def test_remove_all_counts_only_own(uow: SqlAlchemyUnitOfWork, make: Factory) -> None:
    async with uow:
        location = await make.location(uow)
        a, b, c = [await make.user(uow, location.id) for _ in range(3)]
        await uow.relationships.set(a.id, b.id, L.BLOCKED)
        await uow.relationships.set(a.id, c.id, L.BLOCKED)
        await uow.relationships.set(b.id, a.id, L.BLOCKED)
        assert await uow.relationships.remove_all(a.id) == 2
        assert await uow.relationships.remove_all(a.id) == 0
        assert await uow.relationships.own_for([a.id, b.id]) == {b.id: {a.id: L.BLOCKED}}


async def test_relationship_to_unknown_user_fails(uow: SqlAlchemyUnitOfWork, make: Factory) -> None:
    async with uow:
        location = await make.location(uow)
        a = await make.user(uow, location.id)
        with pytest.raises(IntegrityError):
            await uow.relationships.set(a.id, a.id + 1000, L.BLOCKED)


async def test_contacts(uow: SqlAlchemyUnitOfWork, make: Factory, count_statements: Any) -> None:
    async with uow:
        location = await make.location(uow)
        owner, other, colleague = [await make.user(uow, location.id) for _ in range(3)]
        ldap = await uow.data_sources.add(DirectoryDataSource(name="LDAP"))
        by_user = await uow.contacts.add(
            Contact(owner_id=owner.id, display_name="Colleague", user_id=colleague.id)
        )
        by_source = await uow.contacts.add(
            Contact(owner_id=owner.id, display_name="Ext", data_source_id=ldap.id, external_id="e1")
        )
        theirs = await uow.contacts.add(
            Contact(owner_id=other.id, display_name="Colleague", user_id=colleague.id)
        )
        assert 0 < by_user.id < by_source.id < theirs.id
        with count_statements() as counter:
            found = await uow.contacts.for_owners([owner.id, other.id, colleague.id])
        assert counter.count == 1
        assert found == {owner.id: [by_user, by_source], other.id: [theirs]}
        assert await uow.contacts.for_owners([]) == {}

        exists = uow.contacts.exists
        assert await exists(Contact(owner_id=owner.id, display_name="?", user_id=colleague.id))
        assert not await exists(Contact(owner_id=owner.id, display_name="?", user_id=other.id))
        assert await exists(
            Contact(owner_id=owner.id, display_name="?", data_source_id=ldap.id, external_id="e1")
        )
        assert not await exists(
            Contact(owner_id=owner.id, display_name="?", data_source_id=ldap.id, external_id="e2")
        )
        assert not await exists(
            Contact(owner_id=other.id, display_name="?", data_source_id=ldap.id, external_id="e1")
        )
        assert not await exists(Contact(owner_id=owner.id, display_name="Ext"))

"""Transactions of the unit of work."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, PendingRollbackError

from domain.model import DirectoryDataSource, Location, RelationshipLevel
from domain.ports import UnitOfWork
from persistence.database import is_sqlite
from persistence.unit_of_work import SqlAlchemyUnitOfWork

if TYPE_CHECKING:
    from tests.integration.conftest import Factory


async def _names(uow: SqlAlchemyUnitOfWork) -> list[str]:
    async with uow:
        return [location.name for location in await uow.locations.list()]


async def test_conforms_to_the_port(uow: SqlAlchemyUnitOfWork) -> None:
    port: UnitOfWork = uow
    async with port as entered:
        assert entered is uow


async def test_leaving_without_commit_rolls_back(uow: SqlAlchemyUnitOfWork) -> None:
    async with uow:
        await uow.locations.add(Location(name="Gone"))
        assert [loc.name for loc in await uow.locations.list()] == ["Gone"]
    assert await _names(uow) == []


async def test_commit_keeps_the_changes(uow: SqlAlchemyUnitOfWork) -> None:
    async with uow:
        await uow.locations.add(Location(name="Kept"))
        await uow.commit()
    assert await _names(uow) == ["Kept"]


async def test_an_exception_rolls_back(uow: SqlAlchemyUnitOfWork) -> None:
    async def fail() -> None:
        async with uow:
            await uow.locations.add(Location(name="Gone"))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await fail()
    assert await _names(uow) == []


async def test_statements_after_commit_need_another_commit(uow: SqlAlchemyUnitOfWork) -> None:
    async with uow:
        await uow.locations.add(Location(name="First"))
        await uow.commit()
        await uow.locations.add(Location(name="Second"))
    assert await _names(uow) == ["First"]


async def test_rollback_discards_and_continues(uow: SqlAlchemyUnitOfWork) -> None:
    async with uow:
        await uow.locations.add(Location(name="Discarded"))
        await uow.rollback()
        await uow.locations.add(Location(name="Stored"))
        await uow.commit()
    assert await _names(uow) == ["Stored"]


async def test_the_transaction_survives_only_until_an_integrity_error(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    async with uow:
        await uow.locations.add(Location(name="Same"))
        await uow.commit()

    async def add_both() -> None:
        async with uow:
            await uow.data_sources.add(DirectoryDataSource(name="Rolled back"))
            await uow.locations.add(Location(name="Same"))
            await uow.commit()

    with pytest.raises(IntegrityError):
        await add_both()
    async with uow:
        assert await uow.data_sources.list() == []


async def test_no_commit_after_a_refused_statement(uow: SqlAlchemyUnitOfWork) -> None:
    async with uow:
        await uow.locations.add(Location(name="Same"))
        await uow.commit()
    async with uow:
        await uow.data_sources.add(DirectoryDataSource(name="Lost"))
        with pytest.raises(IntegrityError):
            await uow.locations.add(Location(name="Same"))
        with pytest.raises(PendingRollbackError):
            await uow.commit()
        await uow.rollback()
        await uow.data_sources.add(DirectoryDataSource(name="Kept"))
        await uow.commit()
    async with uow:
        assert [s.name for s in await uow.data_sources.list()] == ["Kept"]


async def test_may_be_entered_again_but_not_nested(uow: SqlAlchemyUnitOfWork) -> None:
    for n in range(3):
        async with uow:
            await uow.locations.add(Location(name=f"L{n}"))
            await uow.commit()
            with pytest.raises(RuntimeError, match="already entered"):
                await uow.__aenter__()
    assert await _names(uow) == ["L0", "L1", "L2"]


async def test_repositories_exist_only_inside(uow: SqlAlchemyUnitOfWork) -> None:
    with pytest.raises(RuntimeError, match="not entered"):
        await uow.commit()


async def test_two_units_of_work_are_separate_transactions(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    other = SqlAlchemyUnitOfWork(uow._engine)
    async with uow:
        await uow.data_sources.add(DirectoryDataSource(name="Uncommitted"))
        # While one writes, another reads (on SQLite a second writer would wait).
        async with other.reading() as reader:
            assert await reader.data_sources.list() == []
        await uow.commit()
    async with other:
        assert [s.name for s in await other.data_sources.list()] == ["Uncommitted"]


async def test_a_unit_of_work_for_reading_cannot_commit(uow: SqlAlchemyUnitOfWork) -> None:
    async with uow.reading() as reader:
        with pytest.raises(RuntimeError, match="cannot commit"):
            await reader.commit()


async def test_concurrent_calls_on_one_unit_of_work(
    uow: SqlAlchemyUnitOfWork, make: Factory
) -> None:
    async with uow:
        location = await make.location(uow)
        group = await make.group(uow, location.id)
        users = [await make.user(uow, location.id) for _ in range(5)]
        team = await make.team(uow, [u.id for u in users])
        ids = [u.id for u in users]
        results = await asyncio.gather(
            *(uow.users.get(user_id) for user_id in ids),
            uow.users.get_many(ids),
            uow.teams.for_members(ids),
            uow.relationships.own_for(ids),
            uow.contacts.for_owners(ids),
            uow.locations.get_many([location.id]),
            uow.groups.for_locations([location.id]),
            *(
                uow.relationships.set(ids[0], target, RelationshipLevel.ASSISTANT)
                for target in ids[1:]
            ),
        )
        await uow.commit()
    assert [user.id for user in results[:5]] == ids
    assert set(results[5]) == set(ids)
    assert results[6][ids[0]][0].id == team.id
    assert results[10] == {location.id: [group]}
    async with uow:
        own = await uow.relationships.own_for([ids[0]])
    assert own == {ids[0]: dict.fromkeys(ids[1:], RelationshipLevel.ASSISTANT)}


async def test_a_snapshot_sees_one_state_and_lends_it_to_its_readers(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    """Every reading() inside a snapshot reads in its one transaction: a location
    committed meanwhile is seen by none of them (SQLite: its read transaction,
    PostgreSQL: REPEATABLE READ)."""
    async with uow:
        await uow.locations.add(Location(name="Before"))
        await uow.commit()
    async with uow.snapshot() as snapshot:
        async with snapshot.reading() as first:
            assert [loc.name for loc in await first.locations.list()] == ["Before"]
            lent = first.connection
        async with uow:
            await uow.locations.add(Location(name="Meanwhile"))
            await uow.commit()
        async with snapshot.reading() as second:
            assert [loc.name for loc in await second.locations.list()] == ["Before"]
            assert second.connection is lent
        with pytest.raises(RuntimeError):
            async with snapshot.reading() as third:
                await third.commit()
    assert await _names(uow) == ["Before", "Meanwhile"]


async def test_reading_on_postgresql_holds_no_transaction(
    uow: SqlAlchemyUnitOfWork, database_url: str
) -> None:
    """A reading unit of work sends no BEGIN/ROLLBACK on PostgreSQL: each statement
    has its own now(); a snapshot's statements share one."""
    if is_sqlite(database_url):
        pytest.skip("PostgreSQL only")
    clock = text("SELECT clock_timestamp() > now()")
    async with uow.reading() as reading:
        # now() is the transaction's start: outside a transaction, the statement's.
        await reading.connection.execute(text("SELECT pg_sleep(0.001)"))
        in_transaction = (await reading.connection.execute(text("SELECT now()"))).scalar_one()
        assert (
            await reading.connection.execute(text("SELECT now()"))
        ).scalar_one() > in_transaction
        assert (await reading.connection.execute(clock)).scalar_one()
    async with uow.snapshot() as snapshot, snapshot.reading() as inside:
        started = (await inside.connection.execute(text("SELECT now()"))).scalar_one()
        await inside.connection.execute(text("SELECT pg_sleep(0.001)"))
        assert (await inside.connection.execute(text("SELECT now()"))).scalar_one() == started

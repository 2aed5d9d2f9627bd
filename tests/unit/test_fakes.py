"""The fakes keep the promises of the ports, so the other tests can trust them."""

from __future__ import annotations

import pytest

from domain.model import Location, User
from tests.fakes import FakeIntegrityError, FakeServices


class TestFakeUnitOfWork:
    async def test_leaving_without_commit_discards_changes(self, services: FakeServices) -> None:
        async with services.uow as uow:
            await uow.locations.add(Location(name="Berlin"))

        assert services.uow.data.locations == {}
        assert (services.uow.committed, services.uow.rolled_back) == (0, 1)

    async def test_commit_makes_changes_visible_and_ids_count_from_one(
        self, services: FakeServices
    ) -> None:
        async with services.uow as uow:
            first = await uow.locations.add(Location(name="Berlin"))
            second = await uow.locations.add(Location(name="Munich"))
            await uow.commit()

        assert (first.id, second.id, services.uow.committed) == (1, 2, 1)
        async with services.uow as uow:
            assert [loc.name for loc in await uow.locations.list()] == ["Berlin", "Munich"]

    async def test_readers_return_copies(self, services: FakeServices) -> None:
        async with services.uow as uow:
            loc = await uow.locations.add(Location(name="Berlin"))
            await uow.commit()
        async with services.uow as uow:
            found = await uow.locations.get(loc.id)
            assert found is not None
            found.name = "Changed"
            assert (await uow.locations.get(loc.id)).name == "Berlin"  # type: ignore[union-attr]

    async def test_is_not_re_entrant(self, services: FakeServices) -> None:
        async with services.uow:
            with pytest.raises(RuntimeError):
                await services.uow.__aenter__()

    async def test_unique_login_is_enforced_like_the_database(self, services: FakeServices) -> None:
        async with services.uow as uow:
            loc = await uow.locations.add(Location(name="Berlin"))
            await uow.users.add(User(login="anna", last_name="A", location_id=loc.id))
            with pytest.raises(FakeIntegrityError):
                await uow.users.add(User(login="anna", last_name="B", location_id=loc.id))


class TestFakeClock:
    def test_is_timezone_aware_and_advances(self, services: FakeServices) -> None:
        start = services.clock.now()

        services.clock.advance(minutes=5)

        assert start.tzinfo is not None
        assert (services.clock.now() - start).total_seconds() == 300

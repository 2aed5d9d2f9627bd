"""Helpers for the persistence tests: small factories for stored entities."""

from __future__ import annotations

import itertools

import pytest

from domain.model import (
    Administrator,
    ConfigurationGroup,
    Location,
    Team,
    User,
)
from domain.ports import UnitOfWork


class Factory:
    """Adds entities with unique names through a unit of work that is entered."""

    def __init__(self) -> None:
        self._seq = itertools.count(1)

    def _n(self) -> int:
        return next(self._seq)

    async def location(self, uow: UnitOfWork, name: str | None = None, **kw: object) -> Location:
        return await uow.locations.add(Location(name=name or f"Location {self._n()}", **kw))

    async def group(
        self, uow: UnitOfWork, location_id: int, name: str | None = None, **kw: object
    ) -> ConfigurationGroup:
        return await uow.groups.add(
            ConfigurationGroup(location_id=location_id, name=name or f"Group {self._n()}", **kw)
        )

    async def user(
        self, uow: UnitOfWork, location_id: int, login: str | None = None, **kw: object
    ) -> User:
        n = self._n()
        values: dict[str, object] = {"last_name": f"Last{n}"}
        values.update(kw)
        return await uow.users.add(
            User(login=login or f"user{n}", location_id=location_id, **values)
        )

    async def team(self, uow: UnitOfWork, member_ids: list[int], **kw: object) -> Team:
        values: dict[str, object] = {"name": f"Team {self._n()}", **kw}
        return await uow.teams.add(Team(member_ids=member_ids, **values))  # type: ignore[arg-type]

    async def admin(
        self, uow: UnitOfWork, location_ids: frozenset[int] = frozenset(), **kw: object
    ) -> Administrator:
        n = self._n()
        return await uow.administrators.add(
            Administrator(
                login=f"admin{n}",
                last_name=f"Admin{n}",
                password_hash="$argon2id$x",
                location_ids=location_ids,
                **kw,
            )
        )


@pytest.fixture
def make() -> Factory:
    return Factory()

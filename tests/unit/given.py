"""Arrange helpers: put entities straight into the fake store, committed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.model import (
    Administrator,
    ConfigurationGroup,
    Location,
    RelationshipLevel,
    Team,
    User,
)
from domain.principals import AdminPrincipal, UserPrincipal
from tests.fakes import FakeServices

ROOT = AdminPrincipal(admin_id=1, login="root", location_ids=None)
GOOD_PASSWORD = "Correct-Horse-7"


def sub_admin(*location_ids: int, admin_id: int = 2, login: str = "sub") -> AdminPrincipal:
    return AdminPrincipal(admin_id=admin_id, login=login, location_ids=frozenset(location_ids))


def as_user(user: User, *, pending: bool = False) -> UserPrincipal:
    return UserPrincipal(user.id, user.login, pending)


async def location(services: FakeServices, name: str = "Berlin", **fields: Any) -> Location:
    async with services.uow as uow:
        loc = await uow.locations.add(Location(name=name, **fields))
        await uow.commit()
    return loc


async def group(
    services: FakeServices, location_id: int, name: str = "Sales", **fields: Any
) -> ConfigurationGroup:
    async with services.uow as uow:
        grp = await uow.groups.add(ConfigurationGroup(location_id=location_id, name=name, **fields))
        await uow.commit()
    return grp


async def user(
    services: FakeServices,
    login: str,
    location_id: int,
    *,
    password: str | None = None,
    last_name: str | None = None,
    **fields: Any,
) -> User:
    password_hash = None if password is None else await services.hasher.hash(password)
    async with services.uow as uow:
        new = User(
            login=login,
            last_name=last_name or login.capitalize(),
            location_id=location_id,
            password_hash=password_hash,
            **fields,
        )
        added = await uow.users.add(new)
        await uow.commit()
    return added


async def team(
    services: FakeServices,
    member_ids: Iterable[int],
    name: str = "Team",
    level: RelationshipLevel = RelationshipLevel.TEAM_COLLEAGUE,
) -> Team:
    async with services.uow as uow:
        added = await uow.teams.add(
            Team(name=name, member_ids=list(member_ids), relationship=level)
        )
        await uow.commit()
    return added


async def administrator(
    services: FakeServices,
    login: str = "root",
    password: str = GOOD_PASSWORD,
    location_ids: Iterable[int] = (),
    **fields: Any,
) -> Administrator:
    password_hash = await services.hasher.hash(password)
    async with services.uow as uow:
        added = await uow.administrators.add(
            Administrator(
                login=login,
                last_name=fields.pop("last_name", login.capitalize()),
                password_hash=password_hash,
                location_ids=frozenset(location_ids),
                **fields,
            )
        )
        await uow.commit()
    return added


async def relationship(
    services: FakeServices, owner: User, target: User, level: RelationshipLevel
) -> None:
    async with services.uow as uow:
        await uow.relationships.set(owner.id, target.id, level)
        await uow.commit()


async def stored_user(services: FakeServices, user_id: int) -> User | None:
    async with services.uow as uow:
        return await uow.users.get(user_id)

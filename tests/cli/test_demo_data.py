"""The demo organisation, on each backend."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.ports import UserQuery
from domain.principals import SYSTEM
from domain.services.administrators import NewAdministrator
from server.commandline.demo_data import (
    DEMO_ADMIN_LOGIN,
    DEMO_ADMIN_PASSWORD,
    DEMO_SUB_ADMIN_LOGIN,
    DEMO_USER_PASSWORD,
    load_demo_data,
)
from server.container import build_services
from server.settings import Settings


async def test_fills_an_empty_database_once(clean_database: AsyncEngine) -> None:
    services = build_services(clean_database, Settings(database_url="sqlite://"))

    assert await load_demo_data(services) is True

    async with services.uow as uow:
        locations = {loc.name: loc for loc in await uow.locations.list()}
        users = await uow.users.page(UserQuery(), None, 100)
        teams = await uow.teams.list()
        sources = await uow.data_sources.list()
        admins = {a.login: a for a in await uow.administrators.list()}
    assert set(locations) == {"Berlin HQ", "Munich"}
    assert users.total == 12
    assert sum(u.is_vip for u in users.items) == 1
    phones = [u.work_phone for u in users.items if u.work_phone]
    assert len(phones) == len(set(phones))
    assert len(teams) == 2
    assert sorted(s.active for s in sources) == [False, True]
    assert admins[DEMO_ADMIN_LOGIN].is_system
    assert admins[DEMO_SUB_ADMIN_LOGIN].location_ids == frozenset({locations["Munich"].id})

    assert await load_demo_data(services) is False
    async with services.uow as uow:
        assert (await uow.users.page(UserQuery(), None, 100)).total == 12


async def test_demo_credentials_sign_in(clean_database: AsyncEngine) -> None:
    services = build_services(clean_database, Settings(database_url="sqlite://"))
    await load_demo_data(services)

    assert (await services.auth.admin_sign_in(DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD)).token
    assert (await services.auth.user_sign_in("hans.schulz", DEMO_USER_PASSWORD)).token


async def test_refuses_a_database_with_an_administrator_only(clean_database: AsyncEngine) -> None:
    """With an `admin` already there the command line would print a demo password
    that is not that administrator's: nothing is loaded."""
    services = build_services(clean_database, Settings(database_url="sqlite://"))
    await services.administrators.create_administrator(
        SYSTEM,
        NewAdministrator(login=DEMO_ADMIN_LOGIN, password="Own-Secret-Passw0rd", last_name="Own"),
    )

    assert await load_demo_data(services) is False

    async with services.uow as uow:
        assert await uow.locations.list() == []
        assert [a.login for a in await uow.administrators.list()] == [DEMO_ADMIN_LOGIN]
    assert (await services.auth.admin_sign_in(DEMO_ADMIN_LOGIN, "Own-Secret-Passw0rd")).token

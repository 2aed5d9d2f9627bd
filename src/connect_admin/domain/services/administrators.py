"""Administrators: system administrators make them; a sub-administrator sees itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from connect_admin.domain.errors import not_found
from connect_admin.domain.model import DEFAULT_PASSWORD_POLICY, Administrator
from connect_admin.domain.ports import UnitOfWork
from connect_admin.domain.principals import Principal, require_admin, require_system_admin
from connect_admin.domain.services import audit
from connect_admin.domain.services.deps import Deps
from connect_admin.domain.services.validation import Problems


@dataclass(frozen=True)
class NewAdministrator:
    login: str
    password: str
    last_name: str
    first_name: str | None = None
    email: str | None = None
    location_ids: list[int] = field(default_factory=list)


async def list_administrators(deps: Deps, actor: Principal) -> list[Administrator]:
    admin = require_admin(actor)
    async with deps.uow.reading() as uow:
        if admin.is_system:
            return await uow.administrators.list()
        own = await uow.administrators.get(admin.admin_id)
    return [own] if own else []


async def get_administrator(deps: Deps, actor: Principal, admin_id: int) -> Administrator:
    admin = require_admin(actor)
    if not admin.is_system and admin_id != admin.admin_id:
        raise not_found("ADMINISTRATOR")
    async with deps.uow.reading() as uow:
        found = await uow.administrators.get(admin_id)
    if found is None:
        raise not_found("ADMINISTRATOR")
    return found


async def create_administrator(
    deps: Deps, actor: Principal, new: NewAdministrator
) -> Administrator:
    """Administrator passwords follow the server's default policy."""
    require_system_admin(actor)
    problems = Problems()
    login = problems.login(new.login, "login")
    last_name = problems.required_name(new.last_name, "lastName")
    email = problems.email(new.email, "email")
    first_name = problems.optional_name(new.first_name, "firstName")
    problems.password(DEFAULT_PASSWORD_POLICY, new.password, "password")
    location_ids = frozenset(new.location_ids)
    # Refused before the slow hash, hashed before the write lock; the checks
    # run again when storing.
    async with deps.uow.reading() as uow:
        await _check_new_administrator(uow, problems, new, login)
    password_hash = await deps.hasher.hash(new.password)
    async with deps.uow as uow:
        await _check_new_administrator(uow, problems, new, login)
        admin = await uow.administrators.add(
            Administrator(
                login=login,
                last_name=last_name,
                first_name=first_name,
                email=email,
                password_hash=password_hash,
                location_ids=location_ids,
            )
        )
        await audit.record(
            deps,
            actor,
            "ADMINISTRATOR_CREATED",
            administrator_id=admin.id,
            login=login,
            location_ids=sorted(location_ids),
        )
        await uow.commit()
    return admin


async def _check_new_administrator(
    uow: UnitOfWork, problems: Problems, new: NewAdministrator, login: str
) -> None:
    """Raises the problems of the input so far and those the stored data show."""
    found = await uow.locations.get_many(new.location_ids)
    for index, location_id in enumerate(new.location_ids):
        if location_id not in found:
            problems.add("LOCATION_NOT_FOUND", "No such location.", "locationIds", str(index))
    if problems.fine("login") and await uow.administrators.login_taken(login):
        problems.add("LOGIN_TAKEN", "Another administrator has this login.", "login")
    problems.raise_if_any()

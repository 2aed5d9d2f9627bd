"""Directory data sources. They serve every location, so only system
administrators add or (de)activate them; every administrator reads them."""

from __future__ import annotations

from dataclasses import replace

from domain.errors import DomainError, not_found
from domain.model import DirectoryDataSource
from domain.principals import Principal, require_admin, require_system_admin
from domain.services import audit
from domain.services.deps import Deps
from domain.services.validation import Problems


async def list_data_sources(deps: Deps, actor: Principal) -> list[DirectoryDataSource]:
    require_admin(actor)
    async with deps.uow.reading() as uow:
        return await uow.data_sources.list()


async def get_data_source(deps: Deps, actor: Principal, source_id: int) -> DirectoryDataSource:
    require_admin(actor)
    async with deps.uow.reading() as uow:
        source = await uow.data_sources.get(source_id)
    if source is None:
        raise not_found("DIRECTORY_DATA_SOURCE")
    return source


async def create_data_source(deps: Deps, actor: Principal, name: str) -> DirectoryDataSource:
    require_system_admin(actor)
    problems = Problems()
    name = problems.required_name(name, "name")
    problems.raise_if_any()
    async with deps.uow as uow:
        if await uow.data_sources.name_taken(name):
            raise DomainError.of("NAME_TAKEN", "A data source of that name exists.", "name")
        source = await uow.data_sources.add(DirectoryDataSource(name=name))
        await audit.record(deps, actor, "DATA_SOURCE_CREATED", data_source_id=source.id, name=name)
        await uow.commit()
    return source


async def set_data_source_active(
    deps: Deps, actor: Principal, source_id: int, active: bool
) -> DirectoryDataSource:
    require_system_admin(actor)
    async with deps.uow as uow:
        source = await uow.data_sources.get(source_id)
        if source is None:
            raise not_found("DIRECTORY_DATA_SOURCE", "id")
        updated = replace(source, active=active)
        await uow.data_sources.update(updated)
        await audit.record(
            deps,
            actor,
            "DATA_SOURCE_ACTIVATED" if active else "DATA_SOURCE_DEACTIVATED",
            data_source_id=source_id,
        )
        await uow.commit()
    return updated

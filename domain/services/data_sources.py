"""Directory data sources. They serve every location, so only system
administrators add or (de)activate them; every administrator reads them."""

from __future__ import annotations

from dataclasses import dataclass, replace

from domain.error_codes import ErrorCode
from domain.errors import DomainError, not_found
from domain.model import DirectoryDataSource
from domain.ports import UnitOfWork
from domain.principals import Principal, require_admin, require_system_admin
from domain.services.audit import AuditTrail
from domain.services.validation import Problems


@dataclass(frozen=True)
class DataSources:
    """Directory data sources."""

    uow: UnitOfWork
    audit: AuditTrail

    async def list_data_sources(self, actor: Principal) -> list[DirectoryDataSource]:
        require_admin(actor)
        async with self.uow.reading() as uow:
            return await uow.data_sources.list()

    async def get_data_source(self, actor: Principal, source_id: int) -> DirectoryDataSource:
        require_admin(actor)
        async with self.uow.reading() as uow:
            source = await uow.data_sources.get(source_id)
        if source is None:
            raise not_found(ErrorCode.DIRECTORY_DATA_SOURCE_NOT_FOUND)
        return source

    async def create_data_source(self, actor: Principal, name: str) -> DirectoryDataSource:
        require_system_admin(actor)
        problems = Problems()
        name = problems.required_name(name, "name")
        problems.raise_if_any()
        async with self.uow as uow:
            if await uow.data_sources.name_taken(name):
                raise DomainError.of(
                    ErrorCode.NAME_TAKEN, "A data source of that name exists.", "name"
                )
            source = await uow.data_sources.add(DirectoryDataSource(name=name))
            await self.audit.record_and_commit(
                uow, actor, "DATA_SOURCE_CREATED", data_source_id=source.id, name=name
            )
        return source

    async def set_data_source_active(
        self, actor: Principal, source_id: int, active: bool
    ) -> DirectoryDataSource:
        require_system_admin(actor)
        async with self.uow as uow:
            source = await uow.data_sources.get(source_id)
            if source is None:
                raise not_found(ErrorCode.DIRECTORY_DATA_SOURCE_NOT_FOUND, "id")
            updated = replace(source, active=active)
            await uow.data_sources.update(updated)
            await self.audit.record_and_commit(
                uow,
                actor,
                "DATA_SOURCE_ACTIVATED" if active else "DATA_SOURCE_DEACTIVATED",
                data_source_id=source_id,
            )
        return updated

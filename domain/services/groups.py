"""Configuration groups: within a location, inheriting what they leave unset."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.error_codes import ErrorCode
from domain.errors import DomainError, not_found
from domain.model import ConfigurationGroup, RelationshipLevel
from domain.ports import UnitOfWork
from domain.principals import Principal, require_admin
from domain.services.audit import AuditTrail
from domain.services.validation import Problems


@dataclass(frozen=True)
class NewConfigurationGroup:
    location_id: int
    name: str
    description: str | None = None
    default_relationship: RelationshipLevel | None = None
    client_settings: list[tuple[str, object]] | None = None
    presence_settings: list[tuple[str, object]] | None = None


@dataclass(frozen=True)
class Groups:
    """Configuration groups."""

    uow: UnitOfWork
    audit: AuditTrail

    async def get_group(self, actor: Principal, group_id: int) -> ConfigurationGroup:
        admin = require_admin(actor)
        async with self.uow.reading() as uow:
            group = await uow.groups.get(group_id)
        if group is None or not admin.sees_location(group.location_id):
            raise not_found(ErrorCode.CONFIGURATION_GROUP_NOT_FOUND)
        return group

    async def groups_of_locations(
        self, actor: Principal, location_ids: Iterable[int]
    ) -> dict[int, list[ConfigurationGroup]]:
        admin = require_admin(actor)
        visible = [i for i in location_ids if admin.sees_location(i)]
        async with self.uow.reading() as uow:
            return await uow.groups.for_locations(visible)

    async def create_group(
        self, actor: Principal, new: NewConfigurationGroup
    ) -> ConfigurationGroup:
        admin = require_admin(actor)
        problems = Problems()
        name = problems.required_name(new.name, "name")
        client = problems.settings(new.client_settings, "clientSettings")
        presence = problems.settings(new.presence_settings, "presenceSettings")
        description = problems.optional_text(new.description, "description")
        problems.raise_if_any()
        async with self.uow as uow:
            location = await uow.locations.get(new.location_id)
            if location is None or not admin.sees_location(new.location_id):
                raise not_found(ErrorCode.LOCATION_NOT_FOUND, "locationId")
            if await uow.groups.name_taken(new.location_id, name):
                raise DomainError.of(
                    ErrorCode.NAME_TAKEN,
                    "The location has a configuration group of that name.",
                    "name",
                )
            group = await uow.groups.add(
                ConfigurationGroup(
                    location_id=new.location_id,
                    name=name,
                    description=description,
                    default_relationship=new.default_relationship,
                    client_settings=client,
                    presence_settings=presence,
                )
            )
            await self.audit.record(
                uow,
                actor,
                "CONFIGURATION_GROUP_CREATED",
                scope_location_id=location.id,
                configuration_group_id=group.id,
                location_id=location.id,
                name=name,
            )
            await uow.commit()
        return group

    async def delete_group(self, actor: Principal, group_id: int) -> None:
        admin = require_admin(actor)
        async with self.uow as uow:
            group = await uow.groups.get(group_id)
            if group is None or not admin.sees_location(group.location_id):
                raise not_found(ErrorCode.CONFIGURATION_GROUP_NOT_FOUND, "id")
            if await uow.groups.has_users(group_id):
                raise DomainError.of(
                    ErrorCode.CONFIGURATION_GROUP_IN_USE,
                    "Users still belong to the configuration group.",
                    "id",
                )
            await uow.groups.delete(group_id)
            await self.audit.record(
                uow,
                actor,
                "CONFIGURATION_GROUP_DELETED",
                scope_location_id=group.location_id,
                configuration_group_id=group_id,
                name=group.name,
            )
            await uow.commit()

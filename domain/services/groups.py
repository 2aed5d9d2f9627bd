"""Configuration groups: within a location, inheriting what they leave unset."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from domain import visibility
from domain.error_codes import ErrorCode
from domain.errors import DomainError, not_found
from domain.model import ConfigurationGroup, RelationshipLevel
from domain.ports import UnitOfWork
from domain.principals import Principal, require_admin
from domain.services.audit import AuditTrail
from domain.services.locations import changed_fields
from domain.services.validation import Problems
from domain.unset import UNSET, Maybe, is_set


@dataclass(frozen=True)
class NewConfigurationGroup:
    location_id: int
    name: str
    description: str | None = None
    default_relationship: RelationshipLevel | None = None
    client_settings: list[tuple[str, object]] | None = None
    presence_settings: list[tuple[str, object]] | None = None


@dataclass(frozen=True)
class GroupChanges:
    """What an update sets; UNSET leaves it. ``None`` for the relationship level or a
    settings list: Default, the location's applies; a value: Individual."""

    id: int
    name: Maybe[str] = UNSET
    description: Maybe[str | None] = UNSET
    default_relationship: Maybe[RelationshipLevel | None] = UNSET
    client_settings: Maybe[list[tuple[str, object]] | None] = UNSET
    presence_settings: Maybe[list[tuple[str, object]] | None] = UNSET


@dataclass(frozen=True)
class Groups:
    """Configuration groups."""

    uow: UnitOfWork
    audit: AuditTrail

    async def get_group(self, actor: Principal, group_id: int) -> ConfigurationGroup:
        admin = require_admin(actor)
        async with self.uow.reading() as uow:
            group = await uow.groups.get(group_id)
        if group is None or not visibility.sees_location(admin, group.location_id):
            raise not_found(ErrorCode.CONFIGURATION_GROUP_NOT_FOUND)
        return group

    async def groups_of_locations(
        self, actor: Principal, location_ids: Iterable[int]
    ) -> dict[int, list[ConfigurationGroup]]:
        admin = require_admin(actor)
        visible = visibility.visible_locations(admin, location_ids)
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
            if location is None or not visibility.sees_location(admin, new.location_id):
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
            await self.audit.record_and_commit(
                uow,
                actor,
                "CONFIGURATION_GROUP_CREATED",
                scope_location_id=location.id,
                configuration_group_id=group.id,
                location_id=location.id,
                name=name,
            )
        return group

    async def delete_group(self, actor: Principal, group_id: int) -> None:
        admin = require_admin(actor)
        async with self.uow as uow:
            group = await uow.groups.get(group_id)
            if group is None or not visibility.sees_location(admin, group.location_id):
                raise not_found(ErrorCode.CONFIGURATION_GROUP_NOT_FOUND, "id")
            if await uow.groups.has_users(group_id):
                raise DomainError.of(
                    ErrorCode.CONFIGURATION_GROUP_IN_USE,
                    "Users still belong to the configuration group.",
                    "id",
                )
            await uow.groups.delete(group_id)
            await self.audit.record_and_commit(
                uow,
                actor,
                "CONFIGURATION_GROUP_DELETED",
                scope_location_id=group.location_id,
                configuration_group_id=group_id,
                name=group.name,
            )

    async def update_group(self, actor: Principal, changes: GroupChanges) -> ConfigurationGroup:
        admin = require_admin(actor)
        problems = Problems()
        async with self.uow as uow:
            group = await uow.groups.get(changes.id)
            if group is None or not visibility.sees_location(admin, group.location_id):
                raise not_found(ErrorCode.CONFIGURATION_GROUP_NOT_FOUND, "id")
            updated = group
            if is_set(changes.name):
                name = problems.required_name(changes.name, "name")
                if (
                    problems.fine("name")
                    and name != group.name
                    and await uow.groups.name_taken(group.location_id, name)
                ):
                    problems.add(
                        ErrorCode.NAME_TAKEN,
                        "The location has a configuration group of that name.",
                        "name",
                    )
                updated = replace(updated, name=name)
            if is_set(changes.description):
                updated = replace(
                    updated, description=problems.optional_text(changes.description, "description")
                )
            if is_set(changes.default_relationship):
                updated = replace(updated, default_relationship=changes.default_relationship)
            if is_set(changes.client_settings):
                updated = replace(
                    updated,
                    client_settings=problems.settings(changes.client_settings, "clientSettings"),
                )
            if is_set(changes.presence_settings):
                updated = replace(
                    updated,
                    presence_settings=problems.settings(
                        changes.presence_settings, "presenceSettings"
                    ),
                )
            problems.raise_if_any()
            await uow.groups.update(updated)
            await self.audit.record_and_commit(
                uow,
                actor,
                "CONFIGURATION_GROUP_UPDATED",
                scope_location_id=group.location_id,
                configuration_group_id=group.id,
                fields=changed_fields(changes),
            )
        return updated

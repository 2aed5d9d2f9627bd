"""Locations: only system administrators create, change or delete them."""

from __future__ import annotations

from dataclasses import dataclass, replace

from domain import visibility
from domain.error_codes import ErrorCode
from domain.errors import DomainError, not_found
from domain.model import (
    DEFAULT_PASSWORD_POLICY,
    Location,
    PasswordPolicy,
    RelationshipLevel,
    RelationshipPolicy,
    Settings,
)
from domain.ports import UnitOfWork
from domain.principals import Principal, require_admin, require_system_admin
from domain.services.audit import AuditTrail
from domain.services.validation import Problems
from domain.unset import UNSET, Maybe, is_set

SettingItems = list[tuple[str, object]]


@dataclass(frozen=True)
class NewLocation:
    name: str
    description: str | None = None
    password_policy: PasswordPolicy | None = None
    default_relationship: RelationshipLevel = RelationshipLevel.EMPLOYEE
    relationship_policy: RelationshipPolicy = RelationshipPolicy.EXTEND_AND_RESTRICT
    client_settings: SettingItems | None = None
    presence_settings: SettingItems | None = None
    language: str | None = None
    sign_in_hint: str | None = None


@dataclass(frozen=True)
class LocationChanges:
    id: int
    name: Maybe[str] = UNSET
    description: Maybe[str | None] = UNSET
    password_policy: Maybe[PasswordPolicy] = UNSET
    default_relationship: Maybe[RelationshipLevel] = UNSET
    relationship_policy: Maybe[RelationshipPolicy] = UNSET
    client_settings: Maybe[SettingItems] = UNSET
    presence_settings: Maybe[SettingItems] = UNSET
    language: Maybe[str | None] = UNSET
    sign_in_hint: Maybe[str | None] = UNSET
    password_link: Maybe[bool | None] = UNSET
    forgot_password: Maybe[bool | None] = UNSET


def changed_fields(changes: object) -> list[str]:
    """The names of the fields a change sets, for the audit log (never values)."""
    return sorted(name for name, value in vars(changes).items() if name != "id" and is_set(value))


@dataclass(frozen=True)
class Locations:
    """Locations: only system administrators create, change or delete them."""

    uow: UnitOfWork
    audit: AuditTrail
    # The languages mails exist in (ServiceConfig.languages).
    languages: tuple[str, ...] = ("de", "en")

    async def list_locations(self, actor: Principal) -> list[Location]:
        admin = require_admin(actor)
        async with self.uow.reading() as uow:
            return await uow.locations.list(visibility.location_scope(admin))

    async def get_location(self, actor: Principal, location_id: int) -> Location:
        admin = require_admin(actor)
        if not visibility.sees_location(admin, location_id):
            raise not_found(ErrorCode.LOCATION_NOT_FOUND)
        async with self.uow.reading() as uow:
            location = await uow.locations.get(location_id)
        if location is None:
            raise not_found(ErrorCode.LOCATION_NOT_FOUND)
        return location

    async def create_location(self, actor: Principal, new: NewLocation) -> Location:
        require_system_admin(actor)
        problems = Problems()
        name = problems.required_name(new.name, "name")
        policy = new.password_policy or DEFAULT_PASSWORD_POLICY
        problems.password_policy(policy, "passwordPolicy")
        client = problems.settings(new.client_settings, "clientSettings") or {}
        presence = problems.settings(new.presence_settings, "presenceSettings") or {}
        description = problems.optional_text(new.description, "description")
        language = problems.language(new.language, self.languages, "language")
        sign_in_hint = problems.optional_text(new.sign_in_hint, "signInHint")
        problems.raise_if_any()
        async with self.uow as uow:
            if await uow.locations.name_taken(name):
                raise DomainError.of(
                    ErrorCode.NAME_TAKEN, "A location of that name exists.", "name"
                )
            location = await uow.locations.add(
                Location(
                    name=name,
                    description=description,
                    password_policy=policy,
                    default_relationship=new.default_relationship,
                    relationship_policy=new.relationship_policy,
                    client_settings=client,
                    presence_settings=presence,
                    language=language,
                    sign_in_hint=sign_in_hint,
                )
            )
            await self.audit.record_and_commit(
                uow,
                actor,
                "LOCATION_CREATED",
                scope_location_id=location.id,
                location_id=location.id,
                name=name,
            )
        return location

    async def update_location(self, actor: Principal, changes: LocationChanges) -> Location:
        require_system_admin(actor)
        problems = Problems()
        async with self.uow as uow:
            location = await uow.locations.get(changes.id)
            if location is None:
                raise not_found(ErrorCode.LOCATION_NOT_FOUND, "id")
            updated = location
            if is_set(changes.name):
                name = problems.required_name(changes.name, "name")
                if (
                    problems.fine("name")
                    and name != location.name
                    and await uow.locations.name_taken(name, changes.id)
                ):
                    problems.add(ErrorCode.NAME_TAKEN, "A location of that name exists.", "name")
                updated = replace(updated, name=name)
            if is_set(changes.description):
                updated = replace(
                    updated, description=problems.optional_text(changes.description, "description")
                )
            if is_set(changes.password_policy):
                problems.password_policy(changes.password_policy, "passwordPolicy")
                updated = replace(updated, password_policy=changes.password_policy)
            if is_set(changes.default_relationship):
                updated = replace(updated, default_relationship=changes.default_relationship)
            if is_set(changes.relationship_policy):
                updated = replace(updated, relationship_policy=changes.relationship_policy)
            if is_set(changes.client_settings):
                client: Settings = (
                    problems.settings(changes.client_settings, "clientSettings") or {}
                )
                updated = replace(updated, client_settings=client)
            if is_set(changes.presence_settings):
                presence: Settings = (
                    problems.settings(changes.presence_settings, "presenceSettings") or {}
                )
                updated = replace(updated, presence_settings=presence)
            if is_set(changes.language):
                language = problems.language(changes.language, self.languages, "language")
                updated = replace(updated, language=language)
            if is_set(changes.sign_in_hint):
                hint = problems.optional_text(changes.sign_in_hint, "signInHint")
                updated = replace(updated, sign_in_hint=hint)
            if is_set(changes.password_link):
                updated = replace(updated, password_link=changes.password_link)
            if is_set(changes.forgot_password):
                updated = replace(updated, forgot_password=changes.forgot_password)
            problems.raise_if_any()
            await uow.locations.update(updated)
            await self.audit.record_and_commit(
                uow,
                actor,
                "LOCATION_UPDATED",
                scope_location_id=location.id,
                location_id=location.id,
                fields=changed_fields(changes),
            )
        return updated

    async def delete_location(self, actor: Principal, location_id: int) -> None:
        require_system_admin(actor)
        async with self.uow as uow:
            location = await uow.locations.get(location_id)
            if location is None:
                raise not_found(ErrorCode.LOCATION_NOT_FOUND, "id")
            if await uow.locations.is_in_use(location_id):
                raise DomainError.of(
                    ErrorCode.LOCATION_IN_USE,
                    "Users, configuration groups or sub-administrators limited to the location "
                    "remain.",
                    "id",
                )
            await uow.locations.delete(location_id)
            # No scope location: it is gone, and no sub-administrator is limited to it.
            await self.audit.record_and_commit(
                uow, actor, "LOCATION_DELETED", location_id=location_id, name=location.name
            )

"""Self-service of the signed-in Connect Client user."""

from __future__ import annotations

from dataclasses import dataclass, replace

from domain.error_codes import ErrorCode
from domain.errors import DomainError, NotAuthenticated, not_found
from domain.model import (
    Contact,
    JsonValue,
    RelationshipLevel,
    RelationshipPolicy,
    User,
)
from domain.ports import UnitOfWork
from domain.principals import Anonymous, Principal, UserPrincipal, require_user
from domain.services.audit import AuditTrail
from domain.services.relationships import default_towards
from domain.services.validation import Problems


@dataclass(frozen=True)
class NewContact:
    data_source_id: int | None = None
    external_id: str | None = None
    display_name: str | None = None
    user_id: int | None = None


@dataclass(frozen=True)
class Me:
    """Self-service: what a user changes of its own."""

    uow: UnitOfWork
    audit: AuditTrail

    async def me(self, actor: Principal) -> User | None:
        """The signed-in user; None for administrators and API tokens."""
        if isinstance(actor, Anonymous):
            raise NotAuthenticated
        if not isinstance(actor, UserPrincipal):
            return None
        async with self.uow.reading() as uow:
            return await uow.users.get(actor.user_id)

    async def _current_user(self, principal: UserPrincipal) -> User:
        user = await self.uow.users.get(principal.user_id, for_update=True)
        if user is None:
            raise NotAuthenticated
        return user

    async def set_my_relationship(
        self, actor: Principal, target_user_id: int, level: RelationshipLevel
    ) -> None:
        principal = require_user(actor)
        async with self.uow as uow:
            user = await self._current_user(principal)
            target = await uow.users.get(target_user_id)
            if target is None:
                raise not_found(ErrorCode.USER_NOT_FOUND, "targetUserId")
            if target.id == user.id:
                raise DomainError.of(
                    ErrorCode.INVALID_TARGET,
                    "A relationship points at another user.",
                    "targetUserId",
                )
            location = await uow.locations.get(user.location_id)
            assert location is not None
            if location.relationship_policy is RelationshipPolicy.EXTEND_ONLY:
                default = await default_towards(uow, user, target)
                if default is not None and level < default.level:
                    raise DomainError.of(
                        ErrorCode.RELATIONSHIP_POLICY,
                        f"The location only allows extending the default ({default.level.name}).",
                        "level",
                    )
            await uow.relationships.set(user.id, target.id, level)
            await self.audit.record_about_and_commit(
                uow,
                actor,
                "RELATIONSHIP_SET",
                user,
                relationship_target_id=target.id,
                level=level.name,
            )

    async def _set_setting(self, actor: Principal, kind: str, key: str, value: JsonValue) -> None:
        principal = require_user(actor)
        key = key.strip()
        problems = Problems()
        problems.setting_key(key, "key")
        problems.json(value, "value")
        problems.raise_if_any()
        async with self.uow as uow:
            user = await self._current_user(principal)
            if kind == "client":
                updated = replace(user, client_settings={**user.client_settings, key: value})
            else:
                updated = replace(user, presence_settings={**user.presence_settings, key: value})
            await uow.users.update(updated)
            await self.audit.record_about_and_commit(
                uow, actor, f"{kind.upper()}_SETTING_SET", user, key=key
            )

    async def set_my_client_setting(self, actor: Principal, key: str, value: JsonValue) -> None:
        await self._set_setting(actor, "client", key, value)

    async def set_my_presence_setting(self, actor: Principal, key: str, value: JsonValue) -> None:
        await self._set_setting(actor, "presence", key, value)

    async def add_my_contact(self, actor: Principal, new: NewContact) -> Contact:
        principal = require_user(actor)
        from_user = new.user_id is not None
        from_source = any(v is not None for v in (new.data_source_id, new.external_id))
        if from_user == from_source:
            raise DomainError.of(
                ErrorCode.INVALID_CONTACT,
                "Give either userId, or dataSourceId with externalId and displayName.",
            )
        problems = Problems()
        async with self.uow as uow:
            user = await self._current_user(principal)
            if new.user_id is not None:
                other = await uow.users.get(new.user_id)
                if other is None:
                    raise not_found(ErrorCode.USER_NOT_FOUND, "userId")
                if other.id == user.id:
                    raise DomainError.of(ErrorCode.INVALID_CONTACT, "That is you.", "userId")
                contact = Contact(
                    owner_id=user.id, display_name=other.display_name, user_id=other.id
                )
            else:
                source = (
                    await uow.data_sources.get(new.data_source_id)
                    if new.data_source_id is not None
                    else None
                )
                if source is None:
                    problems.add(
                        ErrorCode.DIRECTORY_DATA_SOURCE_NOT_FOUND,
                        "No such data source.",
                        "dataSourceId",
                    )
                elif not source.active:
                    problems.add(
                        ErrorCode.DATA_SOURCE_INACTIVE,
                        "The data source is deactivated.",
                        "dataSourceId",
                    )
                external_id = problems.required_name(new.external_id, "externalId")
                name = problems.required_name(new.display_name, "displayName")
                problems.raise_if_any()
                contact = Contact(
                    owner_id=user.id,
                    display_name=name,
                    data_source_id=new.data_source_id,
                    external_id=external_id,
                )
            if await uow.contacts.exists(contact):
                raise DomainError.of(
                    ErrorCode.CONTACT_EXISTS, "The contact list has this contact already."
                )
            contact = await uow.contacts.add(contact)
            await self.audit.record_about_and_commit(
                uow, actor, "CONTACT_ADDED", user, contact_id=contact.id
            )
        return contact

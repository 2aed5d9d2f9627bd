"""Administrators: system administrators make, block, unblock and delete them, signed
in (never with an API token, which must not make or keep a credential that outlives
it); a sub-administrator sees itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain import visibility
from domain.error_codes import ErrorCode
from domain.errors import DomainError, not_found
from domain.model import DEFAULT_PASSWORD_POLICY, Administrator, SessionSubject
from domain.ports import Clock, PasswordHasher, UnitOfWork
from domain.principals import (
    SYSTEM,
    AdminPrincipal,
    Principal,
    require_admin,
    require_signed_in_system_admin,
)
from domain.services.audit import AuditTrail
from domain.services.validation import Problems


@dataclass(frozen=True)
class NewAdministrator:
    login: str
    password: str
    last_name: str
    first_name: str | None = None
    email: str | None = None
    location_ids: list[int] = field(default_factory=list)
    # Only the demo data sets it: its documented admin password holds the login.
    demo_password: bool = False


async def _check_new_administrator(
    uow: UnitOfWork, problems: Problems, new: NewAdministrator, login: str
) -> None:
    """Raises the problems of the input so far and those the stored data show."""
    found = await uow.locations.get_many(new.location_ids)
    for index, location_id in enumerate(new.location_ids):
        if location_id not in found:
            problems.add(
                ErrorCode.LOCATION_NOT_FOUND, "No such location.", "locationIds", str(index)
            )
    if problems.fine("login") and await uow.administrators.login_taken(login):
        problems.add(ErrorCode.LOGIN_TAKEN, "Another administrator has this login.", "login")
    problems.raise_if_any()


OWN_ACCOUNT = DomainError.of(
    ErrorCode.OWN_ACCOUNT, "An administrator cannot block or delete its own account.", "id"
)
LAST_SYSTEM_ADMINISTRATOR = DomainError.of(
    ErrorCode.LAST_SYSTEM_ADMINISTRATOR,
    "The last system administrator who is not blocked cannot be blocked or deleted.",
    "id",
)


async def _leaving(uow: UnitOfWork, admin: AdminPrincipal, admin_id: int) -> Administrator:
    """The administrator to block or delete, within the rules: never the caller, never
    the last system administrator who is not blocked.

    Every administrator's row is locked first, in one order (they are few): two system
    administrators blocking each other at once are decided one after the other, and
    the second is refused.
    """
    if admin_id == admin.admin_id:
        raise OWN_ACCOUNT
    everybody = await uow.administrators.list(for_update=True)
    target = next((a for a in everybody if a.id == admin_id), None)
    if target is None:
        raise not_found(ErrorCode.ADMINISTRATOR_NOT_FOUND, "id")
    if target.is_system and not target.blocked:
        others = [a for a in everybody if a.is_system and not a.blocked and a.id != target.id]
        if not others:
            raise LAST_SYSTEM_ADMINISTRATOR
    return target


@dataclass(frozen=True)
class Administrators:
    """Administrators and their rights."""

    uow: UnitOfWork
    clock: Clock
    audit: AuditTrail
    hasher: PasswordHasher

    async def list_administrators(self, actor: Principal) -> list[Administrator]:
        admin = require_admin(actor)
        async with self.uow.reading() as uow:
            if visibility.sees_every_administrator(admin):
                return await uow.administrators.list()
            own = await uow.administrators.get(admin.admin_id)
        return [own] if own else []

    async def viewer(self, actor: Principal) -> Administrator:
        """The calling administrator itself; also while its password must be changed."""
        admin = require_admin(actor, allow_pending_password_change=True)
        async with self.uow.reading() as uow:
            found = await uow.administrators.get(admin.admin_id)
        if found is None:
            raise not_found(ErrorCode.ADMINISTRATOR_NOT_FOUND)
        return found

    async def get_administrator(self, actor: Principal, admin_id: int) -> Administrator:
        admin = require_admin(actor)
        if not visibility.sees_administrator(admin, admin_id):
            raise not_found(ErrorCode.ADMINISTRATOR_NOT_FOUND)
        async with self.uow.reading() as uow:
            found = await uow.administrators.get(admin_id)
        if found is None:
            raise not_found(ErrorCode.ADMINISTRATOR_NOT_FOUND)
        return found

    async def create_administrator(self, actor: Principal, new: NewAdministrator) -> Administrator:
        """Administrator passwords follow the server's default policy."""
        require_signed_in_system_admin(actor)
        problems = Problems()
        login = problems.login(new.login, "login")
        last_name = problems.required_name(new.last_name, "lastName")
        email = problems.email(new.email, "email")
        first_name = problems.optional_name(new.first_name, "firstName")
        problems.password(
            DEFAULT_PASSWORD_POLICY, new.password, "password",
            login=None if new.demo_password and actor == SYSTEM else login,
        )  # fmt: skip
        location_ids = frozenset(new.location_ids)
        # Refused before the slow hash, hashed before the write lock; the checks
        # run again when storing.
        async with self.uow.reading() as uow:
            await _check_new_administrator(uow, problems, new, login)
        password_hash = await self.hasher.hash(new.password)
        async with self.uow as uow:
            await _check_new_administrator(uow, problems, new, login)
            admin = await uow.administrators.add(
                Administrator(
                    login=login,
                    last_name=last_name,
                    first_name=first_name,
                    email=email,
                    password_hash=password_hash,
                    location_ids=location_ids,
                    # One administrator's choice for another: temporary, as for a user.
                    password_change_required=actor != SYSTEM,
                )
            )
            await self.audit.record_and_commit(
                uow,
                actor,
                "ADMINISTRATOR_CREATED",
                administrator_id=admin.id,
                login=login,
                location_ids=sorted(location_ids),
            )
        return admin

    async def block_administrator(self, actor: Principal, admin_id: int) -> Administrator:
        """Blocked: no sign-in, and its sessions and API tokens end for good (unblocking
        revives none). Blocking a blocked administrator changes nothing."""
        admin = require_signed_in_system_admin(actor)
        async with self.uow as uow:
            target = await _leaving(uow, admin, admin_id)
            if target.blocked:
                return target
            await uow.administrators.set_blocked(target.id, True)
            sessions = await uow.sessions.delete_for(SessionSubject.ADMINISTRATOR, target.id)
            tokens = await uow.api_tokens.revoke_all(target.id, self.clock.now())
            await self.audit.record_and_commit(
                uow,
                actor,
                "ADMINISTRATOR_BLOCKED",
                administrator_id=target.id,
                login=target.login,
                sessions_ended=sessions,
                api_tokens_revoked=tokens,
            )
        target.blocked = True
        return target

    async def unblock_administrator(self, actor: Principal, admin_id: int) -> Administrator:
        """It may sign in again; its old sessions and API tokens stay ended."""
        require_signed_in_system_admin(actor)
        async with self.uow as uow:
            target = await uow.administrators.get(admin_id, for_update=True)
            if target is None:
                raise not_found(ErrorCode.ADMINISTRATOR_NOT_FOUND, "id")
            if not target.blocked:
                return target
            await uow.administrators.set_blocked(target.id, False)
            await self.audit.record_and_commit(
                uow,
                actor,
                "ADMINISTRATOR_UNBLOCKED",
                administrator_id=target.id,
                login=target.login,
            )
        target.blocked = False
        return target

    async def delete_administrator(self, actor: Principal, admin_id: int) -> None:
        """Its sessions and API tokens go with it; audit events keep its login as actor."""
        admin = require_signed_in_system_admin(actor)
        async with self.uow as uow:
            target = await _leaving(uow, admin, admin_id)
            await uow.administrators.delete(target.id)
            await self.audit.record_and_commit(
                uow, actor, "ADMINISTRATOR_DELETED", administrator_id=target.id, login=target.login
            )

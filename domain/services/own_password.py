"""An account changes its own password: a Connect Client user, or an administrator
whose password another administrator chose. The current password is checked and the
new one hashed outside any transaction; the new one is stored only if the password
checked is still the stored one. Other sign-in sessions end; the caller's stays."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from domain.error_codes import ErrorCode
from domain.errors import DomainError, Forbidden, NotAuthenticated
from domain.model import (
    DEFAULT_PASSWORD_POLICY,
    Administrator,
    PasswordPolicy,
    SessionSubject,
    User,
)
from domain.ports import PasswordHasher, UnitOfWork
from domain.principals import AdminPrincipal, Principal, UserPrincipal, require_user
from domain.services.audit import AuditTrail
from domain.services.validation import MAX_PASSWORD_LENGTH, Problems, text_problem

WRONG_CURRENT_PASSWORD = DomainError.of(
    ErrorCode.INVALID_CREDENTIALS, "The current password is wrong.", "currentPassword"
)
# A password that changed while it was being checked is checked again, once.
TRIES = 2
A = TypeVar("A")


def check_new_password(
    policy: PasswordPolicy, login: str, current_password: str, new_password: str
) -> None:
    problems = Problems()
    problems.password(policy, new_password, "newPassword", login=login)
    if new_password == current_password:
        problems.add(
            ErrorCode.PASSWORD_UNCHANGED,
            "The new password must differ from the current one.",
            "newPassword",
        )
    problems.raise_if_any()


async def _verify_current(hasher: PasswordHasher, password_hash: str | None, typed: str) -> None:
    if text_problem(typed, MAX_PASSWORD_LENGTH) is not None or not (
        await hasher.verify(password_hash, typed)
    ):
        raise WRONG_CURRENT_PASSWORD


@dataclass(frozen=True)
class _Checked(Generic[A]):
    """An account as read before the passwords are checked: ``stored`` what its store
    compares with, the rest what the passwords are checked against."""

    stored: A
    login: str
    password_hash: str | None
    policy: PasswordPolicy


async def _change_checked(
    hasher: PasswordHasher,
    current_password: str,
    new_password: str,
    read: Callable[[], Awaitable[_Checked[A]]],
    store: Callable[[A, str], Awaitable[bool]],
) -> None:
    """Checks the passwords against the account ``read`` answers and hashes the new one
    (outside any transaction); ``store`` keeps the hash, or answers False when the
    account changed meanwhile, and then all is done once more."""
    for _ in range(TRIES):
        account = await read()
        await _verify_current(hasher, account.password_hash, current_password)
        check_new_password(account.policy, account.login, current_password, new_password)
        new_hash = await hasher.hash(new_password)
        if await store(account.stored, new_hash):
            return
    # Changed under both checks: what was typed as current is no longer known to be.
    raise WRONG_CURRENT_PASSWORD


async def change_own_password(
    uow: UnitOfWork,
    hasher: PasswordHasher,
    audit: AuditTrail,
    actor: Principal,
    current_password: str,
    new_password: str,
) -> None:
    if isinstance(actor, AdminPrincipal):
        await _change_administrators(uow, hasher, audit, actor, current_password, new_password)
        return
    me = require_user(actor, allow_pending_password_change=True)

    async def read() -> _Checked[User]:
        async with uow.reading() as reading:
            user = await reading.users.get(me.user_id)
            if user is None:
                raise NotAuthenticated
            location = await reading.locations.get(user.location_id)
            assert location is not None
        return _Checked(user, user.login, user.password_hash, location.password_policy)

    async def store(checked: User, new_hash: str) -> bool:
        return await _store_users(uow, audit, me, checked, new_hash)

    await _change_checked(hasher, current_password, new_password, read, store)


async def _store_users(
    uow: UnitOfWork, audit: AuditTrail, me: UserPrincipal, checked: User, new_hash: str
) -> bool:
    """False when the password or the location (its policy) changed since ``checked``."""
    async with uow as writing:
        user = await writing.users.get(me.user_id, for_update=True)
        if user is None:
            raise NotAuthenticated
        if (user.password_hash, user.location_id) != (checked.password_hash, checked.location_id):
            return False
        await writing.users.update(
            replace(
                user,
                password_hash=new_hash,
                password_change_required=False,
                temporary_password_expires_at=None,
            )
        )
        ended = await writing.sessions.delete_others(SessionSubject.USER, user.id, me.session_id)
        await audit.record_about_and_commit(
            writing, me, "PASSWORD_CHANGED", user, other_sessions_ended=ended
        )
    return True


async def _change_administrators(
    uow: UnitOfWork,
    hasher: PasswordHasher,
    audit: AuditTrail,
    me: AdminPrincipal,
    current_password: str,
    new_password: str,
) -> None:
    """Administrators' passwords follow the server's default policy."""
    if me.via_api_token:
        raise Forbidden("an API token changes no password")

    async def read() -> _Checked[Administrator]:
        async with uow.reading() as reading:
            admin = await reading.administrators.get(me.admin_id)
        if admin is None:
            raise NotAuthenticated
        return _Checked(admin, admin.login, admin.password_hash, DEFAULT_PASSWORD_POLICY)

    async def store(checked: Administrator, new_hash: str) -> bool:
        """False when the password changed since ``checked``."""
        async with uow as writing:
            stored = await writing.administrators.get(me.admin_id, for_update=True)
            if stored is None or stored.blocked:
                raise NotAuthenticated
            if stored.password_hash != checked.password_hash:
                return False
            await writing.administrators.set_password(me.admin_id, new_hash, change_required=False)
            ended = await writing.sessions.delete_others(
                SessionSubject.ADMINISTRATOR, me.admin_id, me.session_id
            )
            await audit.record(
                writing, me, "PASSWORD_CHANGED", administrator_id=me.admin_id,
                other_sessions_ended=ended,
            )  # fmt: skip
            await writing.commit()
        return True

    await _change_checked(hasher, current_password, new_password, read, store)

"""An account changes its own password: a Connect Client user, or an administrator
whose password another administrator chose. The current password is checked and the
new one hashed outside any transaction; the new one is stored only if the password
checked is still the stored one. Other sign-in sessions end; the caller's stays."""

from __future__ import annotations

from dataclasses import replace

from domain.error_codes import ErrorCode
from domain.errors import DomainError, Forbidden, NotAuthenticated
from domain.model import DEFAULT_PASSWORD_POLICY, PasswordPolicy, SessionSubject, User
from domain.ports import PasswordHasher, UnitOfWork
from domain.principals import AdminPrincipal, Principal, UserPrincipal, require_user
from domain.services.audit import AuditTrail
from domain.services.validation import MAX_PASSWORD_LENGTH, Problems, text_problem

WRONG_CURRENT_PASSWORD = DomainError.of(
    ErrorCode.INVALID_CREDENTIALS, "The current password is wrong.", "currentPassword"
)
# A password that changed while it was being checked is checked again, once.
TRIES = 2


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
    for _ in range(TRIES):
        async with uow.reading() as reading:
            user = await reading.users.get(me.user_id)
            if user is None:
                raise NotAuthenticated
            location = await reading.locations.get(user.location_id)
            assert location is not None
        await _verify_current(hasher, user.password_hash, current_password)
        check_new_password(location.password_policy, user.login, current_password, new_password)
        new_hash = await hasher.hash(new_password)
        if await _store_users(uow, audit, me, user, new_hash):
            return
    # Changed under both checks: what was typed as current is no longer known to be.
    raise WRONG_CURRENT_PASSWORD


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
    for _ in range(TRIES):
        async with uow.reading() as reading:
            admin = await reading.administrators.get(me.admin_id)
        if admin is None:
            raise NotAuthenticated
        await _verify_current(hasher, admin.password_hash, current_password)
        check_new_password(DEFAULT_PASSWORD_POLICY, admin.login, current_password, new_password)
        new_hash = await hasher.hash(new_password)
        async with uow as writing:
            stored = await writing.administrators.get(me.admin_id, for_update=True)
            if stored is None or stored.blocked:
                raise NotAuthenticated
            if stored.password_hash != admin.password_hash:
                continue
            await writing.administrators.set_password(me.admin_id, new_hash, change_required=False)
            ended = await writing.sessions.delete_others(
                SessionSubject.ADMINISTRATOR, me.admin_id, me.session_id
            )
            await audit.record(
                writing, me, "PASSWORD_CHANGED", administrator_id=me.admin_id,
                other_sessions_ended=ended,
            )  # fmt: skip
            await writing.commit()
            return
    raise WRONG_CURRENT_PASSWORD

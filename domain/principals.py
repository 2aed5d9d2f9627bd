"""Who is calling, and what that caller may see."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import Forbidden, NotAuthenticated


@dataclass(frozen=True)
class AdminPrincipal:
    """An administrator, signed in or acting through one of its API tokens."""

    admin_id: int
    login: str
    # None: a system administrator. Otherwise the locations it may act in.
    location_ids: frozenset[int] | None
    via_api_token: bool = False
    # Signed in with a temporary password: only changing it and reading itself are allowed.
    password_change_required: bool = False
    # The sign-in session the call came with; None for a token or the server itself.
    session_id: int | None = None

    @property
    def is_system(self) -> bool:
        return self.location_ids is None


@dataclass(frozen=True)
class UserPrincipal:
    """A user of the Connect Client."""

    user_id: int
    login: str
    password_change_required: bool
    # The sign-in session the call came with; None for a principal made by the server.
    session_id: int | None = None


@dataclass(frozen=True)
class Anonymous:
    login: str = "anonymous"


Principal = AdminPrincipal | UserPrincipal | Anonymous

SYSTEM = AdminPrincipal(admin_id=0, login="system", location_ids=None)
"""The server itself, e.g. the command line's demo data."""


def require_admin(
    principal: Principal, *, allow_pending_password_change: bool = False
) -> AdminPrincipal:
    if isinstance(principal, AdminPrincipal):
        if principal.password_change_required and not allow_pending_password_change:
            raise Forbidden("the password must be changed first")
        return principal
    if isinstance(principal, Anonymous):
        raise NotAuthenticated
    raise Forbidden("administrators only")


def require_system_admin(principal: Principal) -> AdminPrincipal:
    admin = require_admin(principal)
    if not admin.is_system:
        raise Forbidden("system administrators only")
    return admin


def require_signed_in_admin(principal: Principal) -> AdminPrincipal:
    """An administrator signed in with a session, not one of its API tokens: a token
    manages no administrators and no API tokens, so a leaked token cannot make a
    credential that outlives it."""
    admin = require_admin(principal)
    if admin.via_api_token:
        raise Forbidden("an API token manages no administrators and no API tokens")
    return admin


def require_signed_in_system_admin(principal: Principal) -> AdminPrincipal:
    admin = require_signed_in_admin(principal)
    if not admin.is_system:
        raise Forbidden("system administrators only")
    return admin


def require_user(
    principal: Principal, *, allow_pending_password_change: bool = False
) -> UserPrincipal:
    if isinstance(principal, UserPrincipal):
        if principal.password_change_required and not allow_pending_password_change:
            raise Forbidden("the password must be changed first")
        return principal
    if isinstance(principal, Anonymous):
        raise NotAuthenticated
    raise Forbidden("Connect Client users only")

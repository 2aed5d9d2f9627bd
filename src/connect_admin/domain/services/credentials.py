"""Passwords set by an administrator, and the voicemail PIN.

The voicemail server calls with an API token of an administrator whose
locations hold the user. A PIN pending delivery is made at the first remote
access and e-mailed through the outbox; only its hash is kept.
"""

from __future__ import annotations

import enum
from dataclasses import replace

from connect_admin.domain.errors import DomainError, Forbidden, not_found
from connect_admin.domain.model import MailKind, SessionSubject, User, VoicemailPinState
from connect_admin.domain.ports import UnitOfWork
from connect_admin.domain.principals import AdminPrincipal, Principal, require_admin
from connect_admin.domain.rules import random_pin
from connect_admin.domain.services import audit
from connect_admin.domain.services.deps import Deps
from connect_admin.domain.services.mail import queue_mail, require_mail_route
from connect_admin.domain.services.validation import Problems


class VoicemailAccessOutcome(enum.Enum):
    PIN_REQUIRED = "PIN_REQUIRED"
    PIN_SENT_BY_EMAIL = "PIN_SENT_BY_EMAIL"
    NO_PIN = "NO_PIN"


async def set_user_password(deps: Deps, actor: Principal, user_id: int, password: str) -> None:
    """User details > Password: checked against the policy; to be changed at next sign-in."""
    admin = require_admin(actor)
    async with deps.uow as uow:
        user = await _user_in_scope(uow, admin, user_id)
        if user is None:
            raise not_found("USER", "userId")
        location = await uow.locations.get(user.location_id)
        assert location is not None
        problems = Problems()
        problems.password(location.password_policy, password, "password")
        problems.raise_if_any()
        await uow.users.update(
            replace(
                user,
                password_hash=await deps.hasher.hash(password),
                password_change_required=True,
                temporary_password_expires_at=None,
            )
        )
        await uow.sessions.delete_for(SessionSubject.USER, user.id)
        await audit.record(
            deps, actor, "PASSWORD_SET", target_user_id=user.id, scope_location_id=user.location_id
        )
        await uow.commit()


def _voicemail_server(actor: Principal) -> AdminPrincipal:
    admin = require_admin(actor)
    if not admin.via_api_token:
        raise Forbidden("the voicemail server calls with an API token")
    return admin


async def _user_in_scope(uow: UnitOfWork, admin: AdminPrincipal, user_id: int) -> User | None:
    user = await uow.users.get(user_id, for_update=True)
    return user if user is not None and admin.sees_location(user.location_id) else None


async def _user_by_login(uow: UnitOfWork, admin: AdminPrincipal, login: str) -> User:
    # Locked: concurrent PIN checks must count every failure, and two remote
    # accesses must not both make a PIN.
    user = await uow.users.get_by_login(login.strip(), for_update=True)
    if user is None or not admin.sees_location(user.location_id):
        raise not_found("USER", "login")
    return user


async def voicemail_remote_access(
    deps: Deps, actor: Principal, login: str
) -> VoicemailAccessOutcome:
    admin = _voicemail_server(actor)
    async with deps.uow as uow:
        user = await _user_by_login(uow, admin, login)
        if user.voicemail_pin_state is VoicemailPinState.SET:
            return VoicemailAccessOutcome.PIN_REQUIRED
        if user.voicemail_pin_state is VoicemailPinState.NOT_SET:
            return VoicemailAccessOutcome.NO_PIN
        gateway = await require_mail_route(uow, user)
        pin = random_pin(deps.config.voicemail_pin_length, user.work_phone, deps.random)
        updated = replace(
            user,
            voicemail_pin_hash=await deps.hasher.hash(pin),
            voicemail_pin_state=VoicemailPinState.SET,
            pin_failed_attempts=0,
            pin_locked_until=None,
        )
        await uow.users.update(updated)
        await queue_mail(deps, uow, gateway, MailKind.VOICEMAIL_PIN, updated, secret=pin)
        await audit.record(
            deps,
            actor,
            "VOICEMAIL_PIN_SENT",
            target_user_id=user.id,
            scope_location_id=user.location_id,
        )
        await uow.commit()
    return VoicemailAccessOutcome.PIN_SENT_BY_EMAIL


async def verify_voicemail_pin(deps: Deps, actor: Principal, login: str, pin: str) -> None:
    """Raises INVALID_PIN or PIN_LOCKED; repeated failures lock the PIN for a while."""
    admin = _voicemail_server(actor)
    config = deps.config
    now = deps.clock.now()
    async with deps.uow as uow:
        user = await _user_by_login(uow, admin, login)
        if user.pin_locked_until is not None and now < user.pin_locked_until:
            raise DomainError.of("PIN_LOCKED", "Too many wrong PINs; try again later.")
        if user.voicemail_pin_state is not VoicemailPinState.SET:
            raise DomainError.of("NO_PIN", "The user has no voicemail PIN.")
        if await deps.hasher.verify(user.voicemail_pin_hash, pin):
            if user.pin_failed_attempts:
                await uow.users.update(replace(user, pin_failed_attempts=0, pin_locked_until=None))
                await uow.commit()
            return
        failures = user.pin_failed_attempts + 1
        locked = failures >= config.pin_max_failures
        await uow.users.update(
            replace(
                user,
                pin_failed_attempts=0 if locked else failures,
                pin_locked_until=now + config.pin_lockout if locked else None,
            )
        )
        if locked:
            await audit.record(
                deps,
                actor,
                "VOICEMAIL_PIN_LOCKED",
                target_user_id=user.id,
                scope_location_id=user.location_id,
            )
        await uow.commit()
    raise DomainError.of("INVALID_PIN", "Wrong PIN.", "pin")

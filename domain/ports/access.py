"""The repositories of who may sign in and what they did: administrators, API tokens,
sessions, failed sign-ins and their lockouts, and the audit trail. Like the others
(repositories.py), every method runs inside the unit of work's transaction."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.model import (
    Administrator,
    ApiToken,
    AuditEvent,
    SessionSubject,
    SignInFailure,
    SignInLockout,
    SignInSession,
    User,
)
from domain.ports.repositories import Page

__all__ = [
    "AdministratorRepository",
    "ApiTokenRepository",
    "AuditQuery",
    "AuditRepository",
    "SessionRepository",
    "SignInAttemptRepository",
]


@dataclass(frozen=True)
class AuditQuery:
    target_user_id: int | None = None
    # Only this event (Relay's node(id:)), within the same scope as the others.
    event_id: int | None = None
    # None: every event. Otherwise only the events concerning these locations:
    # recorded for one of them, or about a user who lives in one of them now.
    location_ids: frozenset[int] | None = None
    # None: any. Otherwise only these actions (e.g. USER_RESET), this actor's login,
    # at or after `since`, before `until`.
    actions: frozenset[str] | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class AdministratorRepository(Protocol):
    async def get(self, admin_id: int, *, for_update: bool = False) -> Administrator | None:
        """``for_update`` locks the administrator's row until the transaction ends."""
        ...

    async def get_by_login(self, login: str) -> Administrator | None: ...
    async def get_many(self, ids: Iterable[int]) -> dict[int, Administrator]: ...
    async def list(self, *, for_update: bool = False) -> builtins.list[Administrator]:
        """By login; ``for_update`` locks every administrator's row (they are few), so that
        a decision about all of them (the last system administrator) stays true."""
        ...

    async def add(self, admin: Administrator) -> Administrator: ...
    async def set_blocked(self, admin_id: int, blocked: bool) -> None: ...
    async def set_password(
        self, admin_id: int, password_hash: str, *, change_required: bool
    ) -> None: ...
    async def delete(self, admin_id: int) -> None:
        """Its sessions and API tokens go with it."""
        ...

    async def login_taken(self, login: str) -> bool: ...


class ApiTokenRepository(Protocol):
    async def get(self, token_id: int) -> ApiToken | None: ...
    async def list(self, owner_id: int | None = None) -> builtins.list[ApiToken]:
        """The tokens of one owner (None: of everybody), revoked ones included, by id."""
        ...

    async def get_by_hash(self, token_hash: str) -> ApiToken | None: ...
    async def add(self, token: ApiToken) -> ApiToken: ...
    async def update(self, token: ApiToken) -> None: ...
    async def record_use(self, token_id: int, at: datetime) -> None:
        """Sets ``last_used_at`` alone: a concurrent revocation is never undone."""
        ...

    async def revoke_all(self, owner_id: int, at: datetime) -> int:
        """Revokes the owner's tokens that still work; how many."""
        ...


class SessionRepository(Protocol):
    async def get_by_hash(self, token_hash: str) -> SignInSession | None: ...
    async def get_with_subject(
        self, token_hash: str
    ) -> tuple[SignInSession, Administrator | User | None] | None:
        """The session of this token hash with its administrator or user (None when that
        is gone), read at once: every request authenticates."""
        ...

    async def add(self, session: SignInSession) -> SignInSession: ...
    async def delete_for(self, subject: SessionSubject, subject_id: int) -> int:
        """Ends every session of one user or administrator."""
        ...

    async def delete_for_all(self, subject: SessionSubject, subject_ids: Iterable[int]) -> int:
        """``delete_for`` of several users or administrators, in one statement."""
        ...

    async def delete_others(
        self, subject: SessionSubject, subject_id: int, keep_id: int | None
    ) -> int:
        """Ends every session of one user or administrator but ``keep_id`` (None: all)."""
        ...

    async def delete_by_hash(self, token_hash: str) -> int:
        """Ends the one session of this token hash (0: there is none)."""
        ...

    async def delete_expired(self, now: datetime) -> int:
        """Removes the sessions expired at ``now``, of everybody."""
        ...


class SignInAttemptRepository(Protocol):
    """Failed sign-ins per login key and client address, and the lockouts they led to."""

    async def record_failure(self, key: str, client: str, at: datetime) -> None: ...
    async def failures_since(self, key: str, since: datetime) -> list[SignInFailure]:
        """The failures of every client at or after ``since``, oldest first."""
        ...

    async def clear(self, key: str, client: str) -> None:
        """Forgets the failures and the lockout of the key for that client."""
        ...

    async def lockout(self, key: str, client: str) -> SignInLockout | None: ...
    async def put_lockout(self, lockout: SignInLockout) -> None: ...
    async def unlock(self, key: str) -> int:
        """Forgets every failure and lockout of the key; how many lockouts there were."""
        ...

    async def lockouts_of(self, keys: Sequence[str]) -> list[SignInLockout]:
        """The lockouts of these keys, of every client (ended ones too)."""
        ...

    async def unlock_many(self, keys: Sequence[str]) -> int:
        """``unlock`` for each key, in one statement per table; how many lockouts there were."""
        ...

    async def purge_before(self, at: datetime, lockouts_ended_before: datetime) -> int:
        """Removes the failures before ``at`` and the lockouts that ended before
        ``lockouts_ended_before``, of every key; they no longer count."""
        ...


class AuditRepository(Protocol):
    async def add(self, event: AuditEvent) -> AuditEvent: ...
    async def add_many(self, events: Sequence[AuditEvent]) -> None:
        """Stores the events in one statement (their ids are not read back)."""
        ...

    async def page(
        self,
        query: AuditQuery,
        after_id: int | None,
        first: int,
        *,
        before_id: int | None = None,
        from_end: bool = False,
    ) -> Page[AuditEvent]:
        """Newest first: ``after_id`` continues with older events, ``before_id`` with
        newer ones; the first ``first``, or the last ``first`` when ``from_end``."""
        ...

    async def reset_recorded(self, reset_id: str, location_ids: frozenset[int] | None) -> bool:
        """Whether a USER_RESET event names this reset id (in its details), among the
        events of ``location_ids`` when given (as ``AuditQuery``): the reset happened."""
        ...

"""Sign-in sessions, each read with its administrator or user in one statement."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    bindparam,
    delete,
    select,
)

from domain.model import Administrator, SessionSubject, SignInSession, User
from persistence.repositories._base import Executor, columns, distinct_ids
from persistence.repositories.users import USER_COLUMNS, user_from_row
from persistence.tables import (
    administrator_locations,
    administrators,
    sign_in_sessions,
    users,
)


def _session(row: Row[Any]) -> SignInSession:
    subject = SessionSubject[row.subject]
    subject_id = row.user_id if subject is SessionSubject.USER else row.administrator_id
    return SignInSession(
        id=row.id,
        token_hash=row.token_hash,
        subject=subject,
        subject_id=subject_id,
        created_at=row.created_at,
        expires_at=row.expires_at,
    )


def _subject_column(subject: SessionSubject) -> ColumnElement[int | None]:
    return (
        sign_in_sessions.c.user_id
        if subject is SessionSubject.USER
        else sign_in_sessions.c.administrator_id
    )


_SESSION_BY_HASH = select(sign_in_sessions).where(
    sign_in_sessions.c.token_hash == bindparam("token_hash")
)

# Every request authenticates with this one statement: the session, and its
# administrator (one row per allowed location) or its user, unpacked by position.
_SESSION_COLUMNS = columns(sign_in_sessions, "id", "token_hash", "subject", "user_id",
                           "administrator_id", "created_at", "expires_at")  # fmt: skip
_ADMIN_COLUMNS = (
    *columns(administrators, "id", "login", "first_name", "last_name", "email", "password_hash",
             "blocked", "password_change_required"),
    administrator_locations.c.location_id,
)  # fmt: skip
_ADMIN_AT = len(_SESSION_COLUMNS)
_USER_AT = _ADMIN_AT + len(_ADMIN_COLUMNS)
_SESSION_WITH_SUBJECT = (
    select(*_SESSION_COLUMNS, *_ADMIN_COLUMNS, *USER_COLUMNS)
    .select_from(
        sign_in_sessions.outerjoin(
            administrators, administrators.c.id == sign_in_sessions.c.administrator_id
        )
        .outerjoin(
            administrator_locations,
            administrator_locations.c.administrator_id == administrators.c.id,
        )
        .outerjoin(users, users.c.id == sign_in_sessions.c.user_id)
    )
    .where(sign_in_sessions.c.token_hash == bindparam("token_hash"))
)


def _session_with_subject(
    rows: Sequence[Sequence[Any]],
) -> tuple[SignInSession, Administrator | User | None]:
    id_, token_hash, subject_name, user_id, admin_id, created_at, expires_at = rows[0][:_ADMIN_AT]
    subject = SessionSubject[subject_name]
    session = SignInSession(
        id=id_,
        token_hash=token_hash,
        subject=subject,
        subject_id=user_id if subject is SessionSubject.USER else admin_id,
        created_at=created_at,
        expires_at=expires_at,
    )
    if subject is SessionSubject.USER:
        first = rows[0]
        return session, None if first[_USER_AT] is None else user_from_row(first[_USER_AT:])
    admin_id, login, first_name, last_name, email, password_hash, blocked, change_required, _ = (
        rows[0][_ADMIN_AT:_USER_AT]
    )
    if admin_id is None:
        return session, None
    allowed = frozenset(r[_USER_AT - 1] for r in rows if r[_USER_AT - 1] is not None)
    admin = Administrator(
        id=admin_id,
        login=login,
        first_name=first_name,
        last_name=last_name,
        email=email,
        password_hash=password_hash,
        blocked=blocked,
        password_change_required=change_required,
        location_ids=allowed,
    )
    return session, admin


class SqlSessionRepository:
    """A session's subject is stored as a foreign key to users or administrators,
    so deleting either ends its sessions."""

    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def get_by_hash(self, token_hash: str) -> SignInSession | None:
        return await self._ex.first(_SESSION_BY_HASH, _session, {"token_hash": token_hash})

    async def get_with_subject(
        self, token_hash: str
    ) -> tuple[SignInSession, Administrator | User | None] | None:
        result = await self._ex.execute(_SESSION_WITH_SUBJECT, {"token_hash": token_hash})
        rows = result.all()
        return _session_with_subject(rows) if rows else None

    async def add(self, session: SignInSession) -> SignInSession:
        is_user = session.subject is SessionSubject.USER
        values = {
            "token_hash": session.token_hash,
            "subject": session.subject.name,
            "user_id": session.subject_id if is_user else None,
            "administrator_id": None if is_user else session.subject_id,
            "created_at": session.created_at,
            "expires_at": session.expires_at,
        }
        session.id = await self._ex.insert_id(sign_in_sessions, values)
        return session

    async def delete_by_hash(self, token_hash: str) -> int:
        result = await self._ex.execute(
            delete(sign_in_sessions).where(sign_in_sessions.c.token_hash == token_hash)
        )
        return result.rowcount

    async def delete_for(self, subject: SessionSubject, subject_id: int) -> int:
        result = await self._ex.execute(
            delete(sign_in_sessions).where(_subject_column(subject) == subject_id)
        )
        return result.rowcount

    async def delete_for_all(self, subject: SessionSubject, subject_ids: Iterable[int]) -> int:
        wanted = distinct_ids(subject_ids)
        if not wanted:
            return 0
        result = await self._ex.execute(
            delete(sign_in_sessions).where(_subject_column(subject).in_(wanted))
        )
        return result.rowcount

    async def delete_others(
        self, subject: SessionSubject, subject_id: int, keep_id: int | None
    ) -> int:
        stmt = delete(sign_in_sessions).where(_subject_column(subject) == subject_id)
        if keep_id is not None:
            stmt = stmt.where(sign_in_sessions.c.id != keep_id)
        result = await self._ex.execute(stmt)
        return result.rowcount

    async def delete_expired(self, now: datetime) -> int:
        result = await self._ex.execute(
            delete(sign_in_sessions).where(sign_in_sessions.c.expires_at <= now)
        )
        return result.rowcount

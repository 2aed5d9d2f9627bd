"""Administrators, API tokens, sign-in sessions and failed sign-ins."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    bindparam,
    delete,
    insert,
    select,
    update,
)

from domain.model import Administrator, ApiToken, SessionSubject, SignInSession, User
from persistence.repositories._base import Executor, distinct_ids, from_row, row_values
from persistence.repositories.users import USER_COLUMNS, user_from_row
from persistence.tables import (
    administrator_locations,
    administrators,
    api_tokens,
    sign_in_failures,
    sign_in_sessions,
    users,
)

A = administrators.c
AL = administrator_locations.c
K = api_tokens.c
S = sign_in_sessions.c
F = sign_in_failures.c


def _select_admins(*where: ColumnElement[bool]) -> Select[Any]:
    """Administrators with their locations (one row per location), by login."""
    return (
        select(administrators, AL.location_id.label("allowed_location_id"))
        .select_from(administrators.outerjoin(administrator_locations, AL.administrator_id == A.id))
        .where(*where)
        .order_by(A.login, A.id)
    )


def _admins_from(rows: Iterable[Row[Any]]) -> list[Administrator]:
    found: dict[int, Administrator] = {}
    location_ids: dict[int, set[int]] = {}
    for row in rows:
        if row.id not in found:
            found[row.id] = Administrator(
                id=row.id,
                login=row.login,
                first_name=row.first_name,
                last_name=row.last_name,
                email=row.email,
                password_hash=row.password_hash,
                blocked=row.blocked,
            )
            location_ids[row.id] = set()
        if row.allowed_location_id is not None:
            location_ids[row.id].add(row.allowed_location_id)
    for admin_id, admin in found.items():
        admin.location_ids = frozenset(location_ids[admin_id])
    return list(found.values())


# Every request authenticates: its two statements are built once.
_ADMIN_BY_ID = _select_admins(A.id == bindparam("admin_id"))


class SqlAdministratorRepository:
    """Administrators carry their ``location_ids``; every reader is one statement."""

    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def _admins(self, *where: ColumnElement[bool]) -> list[Administrator]:
        return _admins_from(await self._ex.execute(_select_admins(*where)))

    async def get(self, admin_id: int, *, for_update: bool = False) -> Administrator | None:
        if for_update:
            # FOR UPDATE on PostgreSQL; SQLite's writing transaction holds the
            # database's write lock anyway.
            statement = _select_admins(A.id == admin_id).with_for_update(of=administrators)
            found = _admins_from(await self._ex.execute(statement))
        else:
            found = _admins_from(await self._ex.execute(_ADMIN_BY_ID, {"admin_id": admin_id}))
        return found[0] if found else None

    async def get_by_login(self, login: str) -> Administrator | None:
        found = await self._admins(A.login == login)
        return found[0] if found else None

    async def get_many(self, ids: Iterable[int]) -> dict[int, Administrator]:
        wanted = distinct_ids(ids)
        if not wanted:
            return {}
        return {admin.id: admin for admin in await self._admins(A.id.in_(wanted))}

    async def list(self, *, for_update: bool = False) -> list[Administrator]:
        if for_update:
            # Locked in login order, the order every locker uses: no deadlock.
            statement = _select_admins().with_for_update(of=administrators)
            return _admins_from(await self._ex.execute(statement))
        return await self._admins()

    async def add(self, admin: Administrator) -> Administrator:
        admin.id = await self._ex.insert_id(administrators, row_values(admin, administrators))
        await self._ex.insert_many(
            administrator_locations,
            [
                {"administrator_id": admin.id, "location_id": location_id}
                for location_id in sorted(admin.location_ids)
            ],
        )
        return admin

    async def set_blocked(self, admin_id: int, blocked: bool) -> None:
        await self._ex.execute(
            update(administrators).where(A.id == admin_id).values(blocked=blocked)
        )

    async def delete(self, admin_id: int) -> None:
        # Its locations, API tokens and sessions go by ON DELETE CASCADE.
        await self._ex.execute(delete(administrators).where(A.id == admin_id))

    async def login_taken(self, login: str) -> bool:
        return await self._ex.exists(A.login == login)


def _token(row: Row[Any]) -> ApiToken:
    return from_row(ApiToken, row)


class SqlApiTokenRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def get(self, token_id: int) -> ApiToken | None:
        return await self._ex.first(select(api_tokens).where(K.id == token_id), _token)

    async def get_by_hash(self, token_hash: str) -> ApiToken | None:
        return await self._ex.first(select(api_tokens).where(K.token_hash == token_hash), _token)

    async def list(self, owner_id: int | None = None) -> list[ApiToken]:
        stmt = select(api_tokens).order_by(K.id)
        if owner_id is not None:
            stmt = stmt.where(K.owner_id == owner_id)
        return [_token(row) for row in await self._ex.execute(stmt)]

    async def add(self, token: ApiToken) -> ApiToken:
        token.id = await self._ex.insert_id(api_tokens, row_values(token, api_tokens))
        return token

    async def update(self, token: ApiToken) -> None:
        await self._ex.execute(
            update(api_tokens).where(K.id == token.id).values(row_values(token, api_tokens))
        )

    async def record_use(self, token_id: int, at: datetime) -> None:
        await self._ex.execute(update(api_tokens).where(K.id == token_id).values(last_used_at=at))

    async def revoke_all(self, owner_id: int, at: datetime) -> int:
        result = await self._ex.execute(
            update(api_tokens)
            .where(K.owner_id == owner_id, K.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return result.rowcount


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
    return S.user_id if subject is SessionSubject.USER else S.administrator_id


_SESSION_BY_HASH = select(sign_in_sessions).where(S.token_hash == bindparam("token_hash"))

# Every request authenticates with this one statement: the session, and its
# administrator (one row per allowed location) or its user, unpacked by position.
_SESSION_COLUMNS = (S.id, S.token_hash, S.subject, S.user_id, S.administrator_id,
                    S.created_at, S.expires_at)  # fmt: skip
_ADMIN_COLUMNS = (A.id, A.login, A.first_name, A.last_name, A.email, A.password_hash, A.blocked,
                  AL.location_id)  # fmt: skip
_ADMIN_AT = len(_SESSION_COLUMNS)
_USER_AT = _ADMIN_AT + len(_ADMIN_COLUMNS)
_SESSION_WITH_SUBJECT = (
    select(*_SESSION_COLUMNS, *_ADMIN_COLUMNS, *USER_COLUMNS)
    .select_from(
        sign_in_sessions.outerjoin(administrators, A.id == S.administrator_id)
        .outerjoin(administrator_locations, AL.administrator_id == A.id)
        .outerjoin(users, users.c.id == S.user_id)
    )
    .where(S.token_hash == bindparam("token_hash"))
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
    admin_id, login, first_name, last_name, email, password_hash, blocked, _ = rows[0][
        _ADMIN_AT:_USER_AT
    ]
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
            stmt = stmt.where(S.id != keep_id)
        result = await self._ex.execute(stmt)
        return result.rowcount

    async def delete_expired(self, now: datetime) -> int:
        result = await self._ex.execute(delete(sign_in_sessions).where(S.expires_at <= now))
        return result.rowcount


class SqlSignInAttemptRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def record_failure(self, key: str, at: datetime) -> None:
        await self._ex.execute(insert(sign_in_failures).values(key=key, at=at))

    async def failures_since(self, key: str, since: datetime) -> list[datetime]:
        stmt = select(F.at).where(F.key == key, F.at >= since).order_by(F.at, F.id)
        return list((await self._ex.execute(stmt)).scalars())

    async def clear(self, key: str) -> None:
        await self._ex.execute(delete(sign_in_failures).where(F.key == key))

    async def purge_before(self, at: datetime) -> int:
        result = await self._ex.execute(delete(sign_in_failures).where(F.at < at))
        return result.rowcount

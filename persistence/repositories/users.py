"""Users: one statement per read, a page of them with or without its total."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    delete,
    func,
    select,
    update,
)

from domain.model import (
    User,
    VoicemailPinState,
)
from domain.ports import DocumentShape, Page, UserQuery
from persistence.repositories import user_documents, user_filters
from persistence.repositories._base import (
    ByIds,
    Executor,
    columns,
    distinct_ids,
    page_of,
    window_of,
)
from persistence.tables import (
    users,
)


def _user_values(user: User) -> dict[str, Any]:
    return {
        "login": user.login,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "work_phone": user.work_phone,
        "mobile_phone": user.mobile_phone,
        "location_id": user.location_id,
        "configuration_group_id": user.configuration_group_id,
        "is_vip": user.is_vip,
        "blocked": user.blocked,
        "password_hash": user.password_hash,
        "password_change_required": user.password_change_required,
        "voicemail_pin_hash": user.voicemail_pin_hash,
        "voicemail_pin_state": user.voicemail_pin_state.name,
        "client_settings": dict(user.client_settings),
        "presence_settings": dict(user.presence_settings),
        "temporary_password_expires_at": user.temporary_password_expires_at,
        "pin_failed_attempts": user.pin_failed_attempts,
        "pin_locked_until": user.pin_locked_until,
        "language": user.language,
    }


# The columns user_from_row unpacks, in its order: unpacking a row is several times
# cheaper than reading its attributes by name, and a page maps 100 rows.
USER_COLUMNS = columns(
    users, "id", "login", "first_name", "last_name", "email", "work_phone", "mobile_phone",
    "location_id", "configuration_group_id", "is_vip", "blocked", "password_hash",
    "password_change_required", "voicemail_pin_hash", "voicemail_pin_state",
    "client_settings", "presence_settings", "temporary_password_expires_at",
    "pin_failed_attempts", "pin_locked_until", "language",
)  # fmt: skip


def user_from_row(row: Sequence[Any]) -> User:
    """The user of a row of USER_COLUMNS (or of their slice of a wider row)."""
    (
        id, login, first_name, last_name, email, work_phone, mobile_phone,
        location_id, configuration_group_id, is_vip, blocked, password_hash,
        password_change_required, voicemail_pin_hash, voicemail_pin_state,
        client_settings, presence_settings, temporary_password_expires_at,
        pin_failed_attempts, pin_locked_until, language,
    ) = row  # fmt: skip
    return User(
        id=id,
        login=login,
        first_name=first_name,
        last_name=last_name,
        email=email,
        work_phone=work_phone,
        mobile_phone=mobile_phone,
        location_id=location_id,
        configuration_group_id=configuration_group_id,
        is_vip=is_vip,
        blocked=blocked,
        password_hash=password_hash,
        password_change_required=password_change_required,
        voicemail_pin_hash=voicemail_pin_hash,
        voicemail_pin_state=VoicemailPinState[voicemail_pin_state],
        client_settings=dict(client_settings or {}),
        presence_settings=dict(presence_settings or {}),
        temporary_password_expires_at=temporary_password_expires_at,
        pin_failed_attempts=pin_failed_attempts,
        pin_locked_until=pin_locked_until,
        language=language,
    )


def _select_users(*where: ColumnElement[bool]) -> Select[Any]:
    """Users (the users table only), in id order."""
    return select(*USER_COLUMNS).where(*where).order_by(users.c.id)


_USERS_BY_ID = ByIds.of(users.c.id, _select_users)
# Executed with one parameter set per user: SET takes the other keys' columns.
_UPDATE_BY_ID = update(users).where(users.c.id == bindparam("user_id"))


@functools.lru_cache(maxsize=64)
def _page(given: user_filters.Criteria) -> Select[Any]:
    """A page of users after ``:after`` (ids start at 1), at most ``:limit``."""
    after, limit = (user_filters.page_bound(name, given) for name in ("after", "limit"))
    return _select_users(*user_filters.filters(given), users.c.id > after).limit(limit)


@functools.lru_cache(maxsize=64)
def _window(given: user_filters.Criteria, from_end: bool, bounded: bool) -> Select[Any]:
    """Users after ``:after`` (and before ``:before`` when ``bounded``), at most
    ``:limit``: the first of them, or the last (read in descending order) when
    ``from_end``."""
    where = [*user_filters.filters(given), users.c.id > bindparam("after")]
    if bounded:
        where.append(users.c.id < bindparam("before"))
    statement = select(*USER_COLUMNS).where(*where)
    order = users.c.id.desc() if from_end else users.c.id
    return statement.order_by(order).limit(bindparam("limit"))


def _bounds(after_id: int | None, first: int) -> dict[str, int]:
    """A page's ``:after`` (ids start at 1) and ``:limit``: one row more than asked,
    which tells whether another page follows."""
    if first < 0:
        raise ValueError("first must not be negative")
    return {"after": after_id if after_id is not None else 0, "limit": first + 1}


@functools.lru_cache(maxsize=64)
def _ids(given: user_filters.Criteria) -> Select[Any]:
    """The ids of the matching users, in id order, at most ``:limit``."""
    where = user_filters.filters(given)
    limit = user_filters.page_bound("limit", given)
    return select(users.c.id).where(*where).order_by(users.c.id).limit(limit)


@functools.lru_cache(maxsize=64)
def _count(given: user_filters.Criteria) -> Select[Any]:
    return select(func.count()).select_from(users).where(*user_filters.filters(given))


class SqlUserRepository:
    """Users, read from and written to the users table only.

    Own relationships are not part of a user: they are read and changed
    through :class:`SqlRelationshipRepository` only.
    """

    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def _one(self, *where: ColumnElement[bool], for_update: bool = False) -> User | None:
        statement = _select_users(*where)
        if for_update:
            # Rendered FOR UPDATE on PostgreSQL; SQLite has no row locks and
            # needs none (a writing transaction holds the database's write lock).
            statement = statement.with_for_update()
        return await self._ex.first(statement, user_from_row)

    async def get(self, user_id: int, *, for_update: bool = False) -> User | None:
        return await self._one(users.c.id == user_id, for_update=for_update)

    async def get_by_login(self, login: str, *, for_update: bool = False) -> User | None:
        return await self._one(users.c.login == login, for_update=for_update)

    async def with_email(self, email: str, limit: int = 2) -> list[User]:
        statement = _select_users(func.lower(users.c.email) == email.lower()).limit(limit)
        return [user_from_row(row) for row in (await self._ex.execute(statement)).all()]

    async def get_many(self, ids: Iterable[int], *, for_update: bool = False) -> dict[int, User]:
        wanted = distinct_ids(ids)
        if not wanted:
            return {}
        if for_update:
            # In id order: two transactions locking overlapping users cannot deadlock.
            stmt = _select_users(users.c.id.in_(wanted)).with_for_update()
            result = await self._ex.execute(stmt)
        else:
            result = await self._ex.execute_ids(_USERS_BY_ID, wanted)
        rows = result.all()
        return {user.id: user for user in map(user_from_row, rows)}

    async def page(
        self,
        query: UserQuery,
        after_id: int | None,
        first: int,
        *,
        with_total: bool = True,
        before_id: int | None = None,
        from_end: bool = False,
    ) -> Page[User]:
        bounds = _bounds(after_id, first)

        def nobody(total: int | None) -> Page[User]:
            # As a read that found nobody says of the sides its cursors name.
            return window_of(
                [], first, total, after_id=after_id, before_id=before_id, from_end=from_end
            )

        if query.location_ids is not None and not query.location_ids:
            return nobody(0 if with_total else None)
        given, values = user_filters.criteria(query)
        total = None
        if with_total:
            total = (await self._ex.execute(_count(given), values)).scalar_one()
            if total == 0:
                return nobody(0)
        if before_id is None and not from_end:
            stmt = _page(given)
            found = list(map(user_from_row, (await self._ex.execute(stmt, bounds | values)).all()))
            return page_of(found, first, total, has_previous=after_id is not None)
        if before_id is not None:
            bounds["before"] = before_id
        statement = _window(given, from_end, before_id is not None)
        rows = (await self._ex.execute(statement, bounds | values)).all()
        found = list(map(user_from_row, rows))
        return window_of(
            found, first, total, after_id=after_id, before_id=before_id, from_end=from_end
        )

    async def page_document(
        self, query: UserQuery, after_id: int | None, first: int, shape: DocumentShape
    ) -> str | None:
        given, values = user_filters.criteria(query)
        parameters = values | _bounds(after_id, first)
        parameters |= {"first": first, "has_previous": after_id is not None}
        try:
            statement = user_documents.page_statement(self._ex.dialect_name, shape, given)
        except user_documents.NotWritable:
            return None
        document: str = (await self._ex.execute(statement, parameters)).scalar_one()
        return document

    async def ids(self, query: UserQuery, limit: int) -> list[int]:
        if query.location_ids is not None and not query.location_ids:
            return []
        given, values = user_filters.criteria(query)
        statement = _ids(given)
        rows = await self._ex.execute(statement, values | {"limit": limit})
        return [int(row[0]) for row in rows.all()]

    async def add(self, user: User) -> User:
        user.id = await self._ex.insert_id(users, _user_values(user))
        return user

    async def update(self, user: User) -> None:
        await self._ex.execute(
            update(users).where(users.c.id == user.id).values(_user_values(user))
        )

    async def update_many(self, users_: Sequence[User]) -> None:
        if users_:
            rows = [{"user_id": u.id, **_user_values(u)} for u in users_]
            await self._ex.execute(_UPDATE_BY_ID, rows)

    async def delete(self, user_id: int) -> None:
        await self._ex.execute(delete(users).where(users.c.id == user_id))

    async def login_taken(self, login: str, except_id: int | None = None) -> bool:
        return await self._taken(users.c.login == login, except_id)

    async def work_phone_taken(self, phone: str, except_id: int | None = None) -> bool:
        return await self._taken(users.c.work_phone == phone, except_id)

    async def _taken(self, condition: ColumnElement[bool], except_id: int | None) -> bool:
        if except_id is not None:
            condition = and_(condition, users.c.id != except_id)
        return await self._ex.exists(condition)

"""Users, their own relationships and their contact lists."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    and_,
    bindparam,
    delete,
    func,
    select,
    update,
)

from domain.model import (
    Contact,
    RelationshipLevel,
    User,
    VoicemailPinState,
)
from domain.ports import DocumentShape, Page, UserQuery
from persistence.repositories import user_documents, user_filters
from persistence.repositories._base import (
    ByIds,
    Executor,
    distinct_ids,
    from_row,
    grouped,
    page_of,
    row_values,
)
from persistence.tables import (
    contacts,
    directory_data_sources,
    user_relationships,
    users,
)
from persistence.upsert import upsert_into

U = users.c
R = user_relationships.c
C = contacts.c


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
    }


# The columns user_from_row unpacks, in its order: unpacking a row is several times
# cheaper than reading its attributes by name, and a page maps 100 rows.
USER_COLUMNS = (
    U.id, U.login, U.first_name, U.last_name, U.email, U.work_phone, U.mobile_phone,
    U.location_id, U.configuration_group_id, U.is_vip, U.blocked, U.password_hash,
    U.password_change_required, U.voicemail_pin_hash, U.voicemail_pin_state,
    U.client_settings, U.presence_settings, U.temporary_password_expires_at,
    U.pin_failed_attempts, U.pin_locked_until,
)  # fmt: skip


def user_from_row(row: Sequence[Any]) -> User:
    """The user of a row of USER_COLUMNS (or of their slice of a wider row)."""
    (
        id, login, first_name, last_name, email, work_phone, mobile_phone,
        location_id, configuration_group_id, is_vip, blocked, password_hash,
        password_change_required, voicemail_pin_hash, voicemail_pin_state,
        client_settings, presence_settings, temporary_password_expires_at,
        pin_failed_attempts, pin_locked_until,
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
    )


def _select_users(*where: ColumnElement[bool]) -> Select[Any]:
    """Users (the users table only), in id order."""
    return select(*USER_COLUMNS).where(*where).order_by(U.id)


_USERS_BY_ID = ByIds.of(U.id, _select_users)
# Executed with one parameter set per user: SET takes the other keys' columns.
_UPDATE_BY_ID = update(users).where(U.id == bindparam("user_id"))


@functools.lru_cache(maxsize=64)
def _page(given: user_filters.Criteria) -> Select[Any]:
    """A page of users after ``:after`` (ids start at 1), at most ``:limit``."""
    where = (*user_filters.filters(given), U.id > bindparam("after"))
    return _select_users(*where).limit(bindparam("limit"))


def _bounds(after_id: int | None, first: int) -> dict[str, int]:
    """A page's ``:after`` (ids start at 1) and ``:limit``: one row more than asked,
    which tells whether another page follows."""
    if first < 0:
        raise ValueError("first must not be negative")
    return {"after": after_id if after_id is not None else 0, "limit": first + 1}


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
        return await self._one(U.id == user_id, for_update=for_update)

    async def get_by_login(self, login: str, *, for_update: bool = False) -> User | None:
        return await self._one(U.login == login, for_update=for_update)

    async def get_many(self, ids: Iterable[int], *, for_update: bool = False) -> dict[int, User]:
        wanted = distinct_ids(ids)
        if not wanted:
            return {}
        if for_update:
            # In id order: two transactions locking overlapping users cannot deadlock.
            stmt = _select_users(U.id.in_(wanted)).with_for_update()
            result = await self._ex.execute(stmt)
        else:
            result = await self._ex.execute_ids(_USERS_BY_ID, wanted)
        rows = result.all()
        return {user.id: user for user in map(user_from_row, rows)}

    async def page(
        self, query: UserQuery, after_id: int | None, first: int, *, with_total: bool = True
    ) -> Page[User]:
        bounds = _bounds(after_id, first)
        if query.location_ids is not None and not query.location_ids:
            return Page(items=[], has_next=False, total=0 if with_total else None)
        given, values = user_filters.criteria(query)
        total = None
        if with_total:
            total = (await self._ex.execute(_count(given), values)).scalar_one()
            if total == 0:
                return Page(items=[], has_next=False, total=0)
        stmt = _page(given)
        found = list(map(user_from_row, (await self._ex.execute(stmt, bounds | values)).all()))
        return page_of(found, first, total)

    async def page_document(
        self, query: UserQuery, after_id: int | None, first: int, shape: DocumentShape
    ) -> str | None:
        if self._ex.dialect_name != "postgresql":
            return None
        given, values = user_filters.criteria(query)
        parameters = values | _bounds(after_id, first)
        parameters |= {"first": first, "has_previous": after_id is not None}
        try:
            statement = user_documents.page_statement(shape, given)
        except user_documents.NotWritable:
            return None
        document: str = (await self._ex.execute(statement, parameters)).scalar_one()
        return document

    async def add(self, user: User) -> User:
        user.id = await self._ex.insert_id(users, _user_values(user))
        return user

    async def update(self, user: User) -> None:
        await self._ex.execute(update(users).where(U.id == user.id).values(_user_values(user)))

    async def update_many(self, users_: Sequence[User]) -> None:
        if users_:
            rows = [{"user_id": u.id, **_user_values(u)} for u in users_]
            await self._ex.execute(_UPDATE_BY_ID, rows)

    async def delete(self, user_id: int) -> None:
        await self._ex.execute(delete(users).where(U.id == user_id))

    async def login_taken(self, login: str, except_id: int | None = None) -> bool:
        return await self._taken(U.login == login, except_id)

    async def work_phone_taken(self, phone: str, except_id: int | None = None) -> bool:
        return await self._taken(U.work_phone == phone, except_id)

    async def _taken(self, condition: ColumnElement[bool], except_id: int | None) -> bool:
        if except_id is not None:
            condition = and_(condition, U.id != except_id)
        return await self._ex.exists(condition)


_OWN_LEVELS = ByIds.of(
    R.owner_id,
    lambda owners: (
        select(R.owner_id, R.target_id, R.level).where(owners).order_by(R.owner_id, R.target_id)
    ),
)


class SqlRelationshipRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def own_for(self, owner_ids: Iterable[int]) -> dict[int, dict[int, RelationshipLevel]]:
        """Each owner's own levels by target; owners that set none are absent."""
        wanted = distinct_ids(owner_ids)
        if not wanted:
            return {}
        found: dict[int, dict[int, RelationshipLevel]] = {}
        for row in await self._ex.execute_ids(_OWN_LEVELS, wanted):
            found.setdefault(row.owner_id, {})[row.target_id] = RelationshipLevel[row.level]
        return found

    async def set(self, owner_id: int, target_id: int, level: RelationshipLevel) -> None:
        values = {"owner_id": owner_id, "target_id": target_id, "level": level.name}
        insert_ = upsert_into(self._ex.dialect_name, user_relationships).values(values)
        await self._ex.execute(
            insert_.on_conflict_do_update(
                index_elements=[R.owner_id, R.target_id], set_={"level": insert_.excluded.level}
            )
        )

    async def remove_all(self, owner_id: int) -> int:
        return await self.remove_all_of([owner_id])

    async def remove_all_of(self, owner_ids: Iterable[int]) -> int:
        wanted = distinct_ids(owner_ids)
        if not wanted:
            return 0
        result = await self._ex.execute(delete(user_relationships).where(R.owner_id.in_(wanted)))
        return result.rowcount


def _contact(row: Row[Any]) -> Contact:
    return from_row(Contact, row)


_CONTACTS_OF = ByIds.of(
    C.owner_id, lambda owners: select(contacts).where(owners).order_by(C.owner_id, C.id)
)
_INACTIVE_CONTACTS_OF = ByIds.of(
    C.owner_id,
    lambda owners: (
        select(contacts)
        .join(directory_data_sources, directory_data_sources.c.id == C.data_source_id)
        .where(owners, directory_data_sources.c.active.is_(False))
        .order_by(C.id)
    ),
)


class SqlContactRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def for_owners(self, owner_ids: Iterable[int]) -> dict[int, list[Contact]]:
        """Each owner's contacts in the order they were added; empty lists are absent."""
        wanted = distinct_ids(owner_ids)
        if not wanted:
            return {}
        rows = await self._ex.execute_ids(_CONTACTS_OF, wanted)
        return grouped((row.owner_id, _contact(row)) for row in rows)

    async def add(self, contact: Contact) -> Contact:
        contact.id = await self._ex.insert_id(contacts, row_values(contact, contacts))
        return contact

    async def exists(self, contact: Contact) -> bool:
        if contact.user_id is not None:
            same = C.user_id == contact.user_id
        elif contact.data_source_id is not None and contact.external_id is not None:
            same = and_(
                C.data_source_id == contact.data_source_id,
                C.external_id == contact.external_id,
            )
        else:
            return False
        return await self._ex.exists(C.owner_id == contact.owner_id, same)

    async def from_inactive_sources(self, owner_id: int) -> list[Contact]:
        return await self.from_inactive_sources_of([owner_id])

    async def from_inactive_sources_of(self, owner_ids: Iterable[int]) -> list[Contact]:
        wanted = distinct_ids(owner_ids)
        if not wanted:
            return []
        return [_contact(row) for row in await self._ex.execute_ids(_INACTIVE_CONTACTS_OF, wanted)]

    async def remove(self, contact_ids: Iterable[int]) -> int:
        wanted = distinct_ids(contact_ids)
        if not wanted:
            return 0
        result = await self._ex.execute(delete(contacts).where(C.id.in_(wanted)))
        return int(result.rowcount)

"""Administrators with the locations they act in."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    bindparam,
    delete,
    select,
    update,
)

from domain.model import Administrator
from persistence.repositories._base import Executor, distinct_ids, row_values
from persistence.tables import (
    administrator_locations,
    administrators,
)


def _select_admins(*where: ColumnElement[bool]) -> Select[Any]:
    """Administrators with their locations (one row per location), by login."""
    return (
        select(administrators, administrator_locations.c.location_id.label("allowed_location_id"))
        .select_from(
            administrators.outerjoin(
                administrator_locations,
                administrator_locations.c.administrator_id == administrators.c.id,
            )
        )
        .where(*where)
        .order_by(administrators.c.login, administrators.c.id)
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
                password_change_required=row.password_change_required,
            )
            location_ids[row.id] = set()
        if row.allowed_location_id is not None:
            location_ids[row.id].add(row.allowed_location_id)
    for admin_id, admin in found.items():
        admin.location_ids = frozenset(location_ids[admin_id])
    return list(found.values())


# Every request authenticates: its two statements are built once.
_ADMIN_BY_ID = _select_admins(administrators.c.id == bindparam("admin_id"))


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
            statement = _select_admins(administrators.c.id == admin_id).with_for_update(
                of=administrators
            )
            found = _admins_from(await self._ex.execute(statement))
        else:
            found = _admins_from(await self._ex.execute(_ADMIN_BY_ID, {"admin_id": admin_id}))
        return found[0] if found else None

    async def get_by_login(self, login: str) -> Administrator | None:
        found = await self._admins(administrators.c.login == login)
        return found[0] if found else None

    async def get_many(self, ids: Iterable[int]) -> dict[int, Administrator]:
        wanted = distinct_ids(ids)
        if not wanted:
            return {}
        return {admin.id: admin for admin in await self._admins(administrators.c.id.in_(wanted))}

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
            update(administrators).where(administrators.c.id == admin_id).values(blocked=blocked)
        )

    async def set_password(
        self, admin_id: int, password_hash: str, *, change_required: bool
    ) -> None:
        await self._ex.execute(
            update(administrators)
            .where(administrators.c.id == admin_id)
            .values(password_hash=password_hash, password_change_required=change_required)
        )

    async def delete(self, admin_id: int) -> None:
        # Its locations, API tokens and sessions go by ON DELETE CASCADE.
        await self._ex.execute(delete(administrators).where(administrators.c.id == admin_id))

    async def login_taken(self, login: str) -> bool:
        return await self._ex.exists(administrators.c.login == login)

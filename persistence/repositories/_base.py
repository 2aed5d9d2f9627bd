"""What the repositories share: the serialising executor and small helpers."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Executable,
    Integer,
    Row,
    Table,
    any_,
    bindparam,
    exists,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.errors import ServiceUnavailable
from domain.ports import Page

T = TypeVar("T")
K = TypeVar("K")
AnyResult = CursorResult[*tuple[Any, ...]]

LIKE_ESCAPE = "\\"


class Executor:
    """Runs the statements of one unit of work, one at a time.

    DataLoaders may call several repositories of one unit of work at once
    (``asyncio.gather``); asyncpg refuses concurrent operations on one
    connection, so every statement waits for the previous one. Results are
    buffered, so they stay readable after the lock is released.

    ``failed`` turns true when the database refused a statement: PostgreSQL
    then refuses everything until a rollback, SQLite would carry on; the unit
    of work refuses to commit either way, so both backends behave alike.
    """

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.lock = asyncio.Lock()
        self.failed = False

    @property
    def dialect_name(self) -> str:
        return self.connection.dialect.name

    async def execute(
        self, statement: Executable, parameters: dict[str, Any] | list[dict[str, Any]] | None = None
    ) -> AnyResult:
        async with self.lock:
            try:
                return await self.connection.execute(statement, parameters)
            except (DBAPIError, ServiceUnavailable):
                self.failed = True
                raise

    async def execute_ids(self, statement: ByIds, ids: list[int], **parameters: Any) -> AnyResult:
        chosen = statement.array if self.dialect_name == "postgresql" else statement.expanding
        return await self.execute(chosen, {"ids": ids, **parameters})

    async def first(
        self,
        statement: Executable,
        entity: Callable[[Row[Any]], T],
        parameters: dict[str, Any] | None = None,
    ) -> T | None:
        """The first row as an entity, or None when there is none."""
        row = (await self.execute(statement, parameters)).first()
        return None if row is None else entity(row)

    async def insert_id(self, table: Table, values: Mapping[str, Any]) -> int:
        """Inserts one row and returns the id the database gave it."""
        result = await self.execute(_insert_returning_id(table), dict(values))
        id_: int = result.scalar_one()
        return id_

    async def insert_many(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Inserts the rows in one executemany; nothing when there are none."""
        if rows:
            await self.execute(insert(table), rows)

    async def exists(self, *where: ColumnElement[bool]) -> bool:
        """Whether any row matches."""
        return bool((await self.execute(select(exists().where(*where)))).scalar_one())

    async def count(self, table: Table, *where: ColumnElement[bool]) -> int:
        count: int = (
            await self.execute(select(func.count()).select_from(table).where(*where))
        ).scalar_one()
        return count


@dataclass(frozen=True)
class ByIds:
    """A statement over rows whose ``column`` is one of a list of ids, built once.

    Why: ``column.in_(ids)`` built per call coerces every id into a bound
    parameter and costs a fresh cache key, and an IN list is rendered anew per
    execution; a page's look-ups bind hundreds of ids. Here PostgreSQL binds the
    list as one array (``= ANY(:ids)``), SQLite an expanding IN list.
    """

    expanding: Executable
    array: Executable

    @classmethod
    def of(
        cls, column: ColumnElement[int], build: Callable[[ColumnElement[bool]], Executable]
    ) -> ByIds:
        return cls(
            expanding=build(column.in_(bindparam("ids", expanding=True))),
            array=build(column == any_(bindparam("ids", type_=ARRAY(Integer)))),
        )


def grouped(pairs: Iterable[tuple[K, T]]) -> dict[K, list[T]]:
    """The values by key, each list in the order of the pairs."""
    found: dict[K, list[T]] = {}
    for key, value in pairs:
        found.setdefault(key, []).append(value)
    return found


def distinct_ids(ids: Iterable[int]) -> list[int]:
    """The ids once each, in their first order."""
    return list(dict.fromkeys(ids))


def like_contains(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with ``%``, ``_`` and ``\\`` taken literally.

    Use with ``escape=LIKE_ESCAPE``.
    """
    escaped = (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


def page_of(
    found: Sequence[T], first: int, total: int | None, *, has_previous: bool = False
) -> Page[T]:
    """The first ``first`` of ``found``, which was read with one row more than asked: that
    row, when there, tells that another page follows."""
    return Page(
        items=list(found[:first]),
        has_next=len(found) > first,
        total=total,
        has_previous=has_previous,
    )


def window_of(
    found: Sequence[T],
    first: int,
    total: int | None,
    *,
    after_id: int | None,
    before_id: int | None,
    from_end: bool,
) -> Page[T]:
    """The page of a window read with one row more than asked; when ``from_end``, read
    in reverse order (the row more tells that items come before), and put back in order.
    The side the page was not read from: items lie beyond the cursor given there."""
    if not from_end:
        return Page(
            items=list(found[:first]),
            has_next=len(found) > first,
            total=total,
            has_previous=after_id is not None,
        )
    return Page(
        items=list(reversed(found[:first])),
        has_next=before_id is not None,
        total=total,
        has_previous=len(found) > first,
    )


def from_row(entity: Callable[..., T], row: Row[Any], **converted: Any) -> T:
    """The entity of a row whose columns are named as its fields; ``converted`` gives
    those that need more than a copy (enums by name, JSON)."""
    return entity(**{**row._mapping, **converted})


def columns(table: Table, *names: str) -> tuple[ColumnElement[Any], ...]:
    """The table's columns of those names, in that order (for a row unpacked by position)."""
    return tuple(table.c[name] for name in names)


def row_values(entity: object, table: Table, **converted: Any) -> dict[str, Any]:
    """The columns of ``table`` but its id (the database gives that) from the entity's
    fields of the same names; ``converted`` gives those that need more than a copy."""
    values = {
        column.name: getattr(entity, column.name) for column in table.c if column.name != "id"
    }
    return values | converted


@functools.cache
def _insert_returning_id(table: Table) -> Executable:
    """Built once per table: the values come as parameters, so SQLAlchemy's compiled
    cache finds it without building and keying a new statement each time."""
    return insert(table).returning(table.c.id)

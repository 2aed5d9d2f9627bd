"""The JSON each database writes for the page document (user_documents.py): objects,
ordered lists, booleans and base64url, in PostgreSQL's functions or SQLite's.

SQLite (3.38 and later; the JSON functions are built in) has no ORDER BY inside an
aggregate before 3.44, so a list is ``json_group_array`` over a subquery ordered
as the list must be: an aggregate of one source reads its subquery's rows in the
subquery's order, and SQLite neither flattens such a subquery into the aggregate
nor drops its ORDER BY (tests/api/test_page_documents_api.py checks the orders).
A JSON value that crosses a subquery may lose the subtype that makes ``json_object``
embed it rather than quote it as a string, so each is read back through ``json()``.
SQLite has no boolean: its 1 and 0 are written as ``true`` and ``false``. Its
strings are escaped differently from orjson's (control characters as ``\\u00XX``,
other characters as they are): the document is parsed before it is answered, so
only the values count.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import (
    Boolean,
    ColumnElement,
    FromClause,
    String,
    case,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import JSON, aggregate_order_by

from persistence.database import BASE64URL_FUNCTION

_TRUE = literal_column("'true'", String)
_FALSE = literal_column("'false'", String)


class DocumentJson(Protocol):
    """What user_documents.py asks of a database's JSON."""

    # Whether a list per user (the teams) is one grouped CTE joined to the page
    # (PostgreSQL: a correlated subquery would scan the teams once per user) or a
    # correlated subquery (SQLite, through the index of team_members.user_id).
    grouped_lists: bool

    def object(self, arguments: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
        """An object of keys and values, alternating."""
        ...

    def value(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        """A column's value as the document holds it."""
        ...

    def nested(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        """A JSON value read from a subquery or a CASE, to be embedded as JSON."""
        ...

    def listed(
        self,
        item: ColumnElement[Any],
        rows: FromClause,
        order_by: Sequence[ColumnElement[Any]],
        where: Sequence[ColumnElement[bool]] = (),
    ) -> ColumnElement[Any]:
        """The list of ``item`` over ``rows`` in ``order_by``'s order; ``[]`` for none."""
        ...

    def grouped(
        self,
        item: ColumnElement[Any],
        order_by: Sequence[ColumnElement[Any]],
    ) -> ColumnElement[Any]:
        """The aggregate of ``item`` over a group's rows (grouped_lists only)."""
        ...

    def empty_list(self) -> ColumnElement[Any]: ...

    def base64url(self, text: ColumnElement[str]) -> ColumnElement[str]:
        """gql.ids: url-safe base64 without padding (null for null)."""
        ...


class PostgresqlJson:
    grouped_lists = True

    def object(self, arguments: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
        return func.json_build_object(*arguments, type_=JSON)

    def value(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        return column

    def nested(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        return value

    def listed(
        self,
        item: ColumnElement[Any],
        rows: FromClause,
        order_by: Sequence[ColumnElement[Any]],
        where: Sequence[ColumnElement[bool]] = (),
    ) -> ColumnElement[Any]:
        aggregated = func.json_agg(aggregate_order_by(item, *order_by))
        listed = select(aggregated).select_from(rows).where(*where).scalar_subquery()
        return func.coalesce(listed, self.empty_list())

    def grouped(
        self,
        item: ColumnElement[Any],
        order_by: Sequence[ColumnElement[Any]],
    ) -> ColumnElement[Any]:
        return func.json_agg(aggregate_order_by(item, *order_by))

    def empty_list(self) -> ColumnElement[Any]:
        return literal_column("'[]'::json", JSON)

    def base64url(self, text: ColumnElement[str]) -> ColumnElement[str]:
        # PostgreSQL breaks lines after 76 characters; ours are at most 52.
        encoded = func.encode(
            func.convert_to(text, literal_column("'UTF8'")), literal_column("'base64'")
        )
        return func.rtrim(
            func.translate(encoded, literal_column("'+/'"), literal_column("'-_'")),
            literal_column("'='"),
        )


class SqliteJson:
    grouped_lists = False

    def object(self, arguments: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
        return func.json_object(*arguments, type_=String)

    def value(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        if isinstance(column.type, Boolean):
            return func.json(case((column, _TRUE), else_=_FALSE), type_=String)
        return column

    def nested(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.json(value, type_=String)

    def listed(
        self,
        item: ColumnElement[Any],
        rows: FromClause,
        order_by: Sequence[ColumnElement[Any]],
        where: Sequence[ColumnElement[bool]] = (),
    ) -> ColumnElement[Any]:
        ordered = (
            select(item.label("item"))
            .select_from(rows)
            .where(*where)
            .order_by(*order_by)
            # In FROM, not correlated by itself: the rows of ``where`` outside it are
            # the enclosing query's.
            .correlate_except(rows)
            .subquery()
        )
        aggregated = func.json_group_array(self.nested(ordered.c.item), type_=String)
        return self.nested(select(aggregated).select_from(ordered).scalar_subquery())

    def grouped(
        self,
        item: ColumnElement[Any],
        order_by: Sequence[ColumnElement[Any]],
    ) -> ColumnElement[Any]:
        raise NotImplementedError("SQLite lists correlated, not grouped")

    def empty_list(self) -> ColumnElement[Any]:
        return func.json(literal_column("'[]'"), type_=String)

    def base64url(self, text: ColumnElement[str]) -> ColumnElement[str]:
        return getattr(func, BASE64URL_FUNCTION)(text, type_=String)  # type: ignore[no-any-return]


# Where SQLite's JSON functions are always built in (aiosqlite runs on sqlite3).
_SQLITE_JSON = sqlite3.sqlite_version_info >= (3, 38, 0)


def json_of(dialect_name: str) -> DocumentJson | None:
    """The database's JSON, or None for one that writes no documents."""
    if dialect_name == "postgresql":
        return PostgresqlJson()
    if dialect_name == "sqlite" and _SQLITE_JSON:
        return SqliteJson()
    return None

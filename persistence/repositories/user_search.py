"""The users search: a case-insensitive substring of login, names or e-mail, served
by an index.

The search's meaning is one predicate (``matches``): the lowered text holds the
lowered search, over the login, the first, last and display name and the e-mail.
Alone it reads every user. For a search of three characters or more,
``Indexed`` asks the same through the database's index:

- PostgreSQL: ``search_text`` LIKE the search, with a pg_trgm GIN index on that
  expression (migration 0012). The lowered login, display name (which holds the
  first and the last name) and e-mail are joined by the unit separator (U+001F),
  which a search served so never holds: a search is within the joined text
  exactly when it is within one of its parts. Without the extension the same
  statement reads every user, with the same answer.
- SQLite: the FTS5 table ``user_search`` (trigram tokenizer), kept in step with
  ``users`` by triggers; its rows hold the lowered login, display name and
  e-mail, and a phrase of the lowered search finds every row that holds it (and
  may find more, its case folding being its own): ``matches`` decides among them.

A search of one or two characters holds no trigram: neither index can serve it,
so it is ``matches`` alone (such a search matches many users, and the page's
walk in id order stops at the page's end).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement as Element

from persistence.repositories._base import LIKE_ESCAPE, like_contains
from persistence.tables import users

# The shortest search an index serves: one trigram.
INDEXED_LENGTH = 3
# The parameters: the LIKE pattern of the lowered search, the FTS5 phrase of it.
PATTERN = "filter_search"
PHRASE = "filter_search_index"

_SQLITE_INDEX = table("user_search")
_SPACE: ColumnElement[str] = literal_column("' '")
SEPARATOR = "\x1f"
_SEPARATOR: ColumnElement[str] = literal_column("'" + SEPARATOR + "'")


def display_name(row: Any) -> ColumnElement[str]:
    """domain.model.display_name: "first last", or the last name alone without a first."""
    return case(
        (
            row.c.first_name != literal_column("''"),
            row.c.first_name.concat(_SPACE).concat(row.c.last_name),
        ),
        else_=row.c.last_name,
    )


def _lower(value: ColumnElement[Any]) -> ColumnElement[str]:
    return func.lower(value, type_=String)


def search_text() -> ColumnElement[str]:
    """The lowered login, display name and e-mail in one text, joined by SEPARATOR:
    the expression of PostgreSQL's index (migration 0012 writes the same SQL)."""
    return (
        _lower(users.c.login)
        .concat(_SEPARATOR)
        .concat(_lower(display_name(users)))
        .concat(_SEPARATOR)
        .concat(func.coalesce(_lower(users.c.email), literal_column("''")))
    )


def matches() -> ColumnElement[bool]:
    """What a search means: one of the fields, lowered, holds the lowered search."""
    pattern: ColumnElement[str] = bindparam(PATTERN)

    def holds(column: ColumnElement[Any]) -> ColumnElement[bool]:
        return _lower(column).like(pattern, escape=LIKE_ESCAPE)

    return or_(
        holds(users.c.login),
        holds(users.c.first_name),
        holds(users.c.last_name),
        holds(display_name(users)),
        holds(users.c.email),
    )


class Indexed(Element[bool]):
    """``matches`` through the database's index, rendered for each database by the
    functions below."""

    inherit_cache = True


@compiles(Indexed, "postgresql")
def _postgresql(element: Indexed, compiler: SQLCompiler, **kw: Any) -> str:
    # Written into the statement, not bound: a prepared statement's generic plan
    # knows no pattern and walks every user in id order for a search of few matches
    # (0.45 s with 100,000 users); planned for its pattern, the search reads the
    # index when matches are few and walks the id order when they are many.
    pattern = bindparam(PATTERN, type_=String, literal_execute=True)
    return compiler.process(search_text().like(pattern, escape=LIKE_ESCAPE), **kw)


@compiles(Indexed, "sqlite")
def _sqlite(element: Indexed, compiler: SQLCompiler, **kw: Any) -> str:
    found: Select[Any] = (
        select(literal_column("rowid"))
        .select_from(_SQLITE_INDEX)
        .where(literal_column("user_search").op("MATCH")(bindparam(PHRASE)))
    )
    return compiler.process(and_(users.c.id.in_(found), matches()), **kw)


@compiles(Indexed)
def _elsewhere(element: Indexed, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(matches(), **kw)


def parameters(search: str) -> tuple[bool, dict[str, str]]:
    """Whether an index serves the search, and the parameters of its statements."""
    lowered = search.lower()
    values = {PATTERN: like_contains(lowered)}
    indexed = len(lowered) >= INDEXED_LENGTH and SEPARATOR not in lowered
    if indexed:
        # An FTS5 phrase: within double quotes, everything but a double quote is text.
        values[PHRASE] = '"' + lowered.replace('"', '""') + '"'
    return indexed, values

"""A page of users as one JSON document, written by the database (domain/ports/documents.py).

One statement: the page's users (one more than asked, to tell whether another page
follows) in a CTE, each joined with its location and group, their teams (on
PostgreSQL grouped by member in another CTE, on SQLite a subquery per user), and
for each user a JSON object of the shape's fields, in the database's own JSON
functions (document_json.py). The rules the entities' Python carries are written here once more
in SQL, each beside the rule it copies; tests/api/test_page_documents_api.py
compares the answers with graphql-core's, so a rule changed on one side alone
shows there.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    FromClause,
    Select,
    String,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    null,
    select,
)

from domain.ports.documents import MAX_DOCUMENT_FIELDS, DocumentField, DocumentShape
from persistence.repositories import user_filters
from persistence.repositories.document_json import DocumentJson, json_of
from persistence.tables import configuration_groups, locations, team_members, teams, users

# A shape's keys are GraphQL response keys, names by the grammar ([_A-Za-z][_0-9A-Za-z]*),
# and its type names ours: either is written into the statement as a literal.
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*\Z")


# What a user's fields read (not its hashes and settings).
_USER_COLUMNS = [
    users.c[name]
    for name in (
        "id", "login", "first_name", "last_name", "email", "work_phone", "mobile_phone",
        "location_id", "configuration_group_id", "is_vip", "blocked",
        "password_change_required", "voicemail_pin_state",
    )
]  # fmt: skip


class NotWritable(Exception):
    """The shape holds something this module does not write (a safety net: the
    compiled executor plans only shapes within domain/ports/documents.py)."""


def _name(value: str) -> str:
    """A key or type name, checked to be safe to write into the statement."""
    if not _NAME.match(value):
        raise NotWritable(value)
    return value


def _text(value: str) -> ColumnElement[str]:
    return literal_column(f"'{_name(value)}'", String)


def global_id(json: DocumentJson, type_name: str, pk: ColumnElement[int]) -> ColumnElement[str]:
    """gql.ids.to_global_id."""
    prefix = literal_column(f"'{_name(type_name)}:'", String)
    return json.base64url(prefix.concat(cast(pk, String)))


def cursor(json: DocumentJson, pk: ColumnElement[int]) -> ColumnElement[str]:
    """gql.ids.to_cursor (null for null)."""
    return json.base64url(literal_column("'cursor:'", String).concat(cast(pk, String)))


def _object(
    json: DocumentJson,
    shape: DocumentShape,
    value: Callable[[DocumentField], ColumnElement[Any]],
) -> ColumnElement[Any]:
    if len(shape.fields) > MAX_DOCUMENT_FIELDS:
        raise NotWritable(shape.type_name)
    arguments: list[ColumnElement[Any]] = []
    for field in shape.fields:
        arguments.append(_text(field.key))
        if field.source == "__typename":
            arguments.append(_text(shape.type_name))
        else:
            arguments.append(value(field))
    return json.object(arguments)


def _column(json: DocumentJson, row: FromClause, source: str) -> ColumnElement[Any]:
    try:
        return json.value(row.c[source])
    except KeyError:
        raise NotWritable(source) from None


def _shape_of(field: DocumentField) -> DocumentShape:
    if field.shape is None:
        raise NotWritable(field.source)
    return field.shape


def _row_object(json: DocumentJson, shape: DocumentShape, row: FromClause) -> ColumnElement[Any]:
    """A location or a team: its global ID and its columns by their names."""

    def value(field: DocumentField) -> ColumnElement[Any]:
        if field.source == "id":
            return global_id(json, shape.type_name, row.c.id)
        return _column(json, row, field.source)

    return _object(json, shape, value)


def _location_of(
    json: DocumentJson, shape: DocumentShape, location_id: ColumnElement[int]
) -> ColumnElement[Any]:
    row = locations.alias()
    found = select(_row_object(json, shape, row)).where(row.c.id == location_id)
    return json.nested(found.scalar_subquery())


def _group(json: DocumentJson, shape: DocumentShape, row: FromClause) -> ColumnElement[Any]:
    """Null for a user without a group (the row of an outer join)."""

    def value(field: DocumentField) -> ColumnElement[Any]:
        if field.source == "id":
            return global_id(json, shape.type_name, row.c.id)
        if field.source == "location":
            return _location_of(json, _shape_of(field), row.c.location_id)
        return _column(json, row, field.source)

    return json.nested(case((row.c.id.is_(None), null()), else_=_object(json, shape, value)))


class _PageRows:
    """The page's users, each row joined with its location and group; every ``teams``
    field adds the page's teams, grouped by member, as one more joined CTE (a
    correlated subquery per user would scan the teams once per user)."""

    def __init__(self, json: DocumentJson, shown: FromClause, numbers: Iterator[int]) -> None:
        self.json = json
        self.user = shown
        # CTE names, unique in the statement (``edges`` may be selected twice).
        self._numbers = numbers
        self.location = locations.alias("user_location")
        self.group = configuration_groups.alias("user_group")
        self._teams: list[FromClause] = []

    def teams(self, shape: DocumentShape) -> ColumnElement[Any]:
        """A user's teams by name (SqlTeamRepository's order); an empty list without any."""
        json = self.json
        member, team = team_members.alias(), teams.alias()
        item = _row_object(json, shape, team)
        rows = member.join(team, team.c.id == member.c.team_id)
        order = (team.c.name, team.c.id)
        if not json.grouped_lists:
            return json.listed(item, rows, order, (member.c.user_id == self.user.c.id,))
        listed = (
            select(member.c.user_id, json.grouped(item, order).label("teams"))
            .select_from(rows)
            .where(member.c.user_id.in_(select(self.user.c.id)))
            .group_by(member.c.user_id)
            .cte(f"page_teams_{next(self._numbers)}")
        )
        self._teams.append(listed)
        return func.coalesce(listed.c.teams, json.empty_list())

    def joined(self) -> FromClause:
        user = self.user
        rows = user.join(self.location, self.location.c.id == user.c.location_id).outerjoin(
            self.group, self.group.c.id == user.c.configuration_group_id
        )
        for listed in self._teams:
            rows = rows.outerjoin(listed, listed.c.user_id == user.c.id)
        return rows

    def default_relationship(self) -> ColumnElement[Any]:
        """domain.rules.scope_default: none for a VIP, else the group's, else the
        location's."""
        return case(
            (self.user.c.is_vip, null()),
            else_=func.coalesce(
                self.group.c.default_relationship, self.location.c.default_relationship
            ),
        )

    def object(self, shape: DocumentShape) -> ColumnElement[Any]:
        json, user = self.json, self.user

        def value(field: DocumentField) -> ColumnElement[Any]:
            source = field.source
            if source == "id":
                return global_id(json, shape.type_name, user.c.id)
            if source == "display_name":
                return user_filters.display_name(user)
            if source == "default_relationship":
                return self.default_relationship()
            if source == "location":
                return _row_object(json, _shape_of(field), self.location)
            if source == "configuration_group":
                return _group(json, _shape_of(field), self.group)
            if source == "teams":
                return self.teams(_shape_of(field))
            return _column(json, user, source)

        return _object(json, shape, value)


def _page(json: DocumentJson, shape: DocumentShape, given: user_filters.Criteria) -> Select[Any]:
    """The statement; parameters ``after``, ``first``, ``limit`` (first + 1),
    ``has_previous`` and the criteria's (user_filters.py)."""
    filters = user_filters.filters(given)
    first = user_filters.page_bound("first", given)
    # One more than asked: when it is there, another page follows.
    read = (
        select(*_USER_COLUMNS)
        .where(*filters, users.c.id > user_filters.page_bound("after", given))
        .order_by(users.c.id)
        .limit(user_filters.page_bound("limit", given))
        .cte("page_read")
    )
    shown = select(read).order_by(read.c.id).limit(first).cte("page_shown")
    numbers = itertools.count(1)

    def edge(edge_shape: DocumentShape, rows: _PageRows) -> ColumnElement[Any]:
        def value(field: DocumentField) -> ColumnElement[Any]:
            if field.source == "cursor":
                return cursor(json, shown.c.id)
            return rows.object(_shape_of(field))

        return _object(json, edge_shape, value)

    def page_info(info_shape: DocumentShape) -> ColumnElement[Any]:
        def value(field: DocumentField) -> ColumnElement[Any]:
            source = field.source
            if source == "has_next_page":
                follows = select(func.count() > first).select_from(read).scalar_subquery()
                return json.value(follows)
            if source == "has_previous_page":
                return json.value(bindparam("has_previous", type_=Boolean))
            ends = func.min(shown.c.id) if source == "start_cursor" else func.max(shown.c.id)
            return select(cursor(json, ends)).select_from(shown).scalar_subquery()

        return _object(json, info_shape, value)

    def value(field: DocumentField) -> ColumnElement[Any]:
        source = field.source
        if source == "edges":
            rows = _PageRows(json, shown, numbers)
            edges = edge(_shape_of(field), rows)
            return json.listed(edges, rows.joined(), (shown.c.id,))
        if source == "page_info":
            return page_info(_shape_of(field))
        if source == "total_count":
            return select(func.count()).select_from(users).where(*filters).scalar_subquery()
        raise NotWritable(source)

    return select(cast(_object(json, shape, value), String))


@functools.lru_cache(maxsize=128)
def page_statement(
    dialect_name: str, shape: DocumentShape, given: user_filters.Criteria
) -> Select[Any]:
    """Built once per database, shape and criteria; raises NotWritable for a shape
    beyond this module or a database that writes no documents."""
    json = json_of(dialect_name)
    if json is None:
        raise NotWritable(dialect_name)
    return _page(json, shape, given)

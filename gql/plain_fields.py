"""Fields that only read their object, answered without graphql-core's per-field
machinery (used by gql/execution.py).

A field without arguments, permission or field extension whose value is its
object's attribute, or a method taking ``self`` alone, needs none of what
graphql-core and Strawberry do per field: the path, the resolve info, Strawberry's
``Info``, argument conversion, the awaitable checks. Such a field is *plain* when
its type is a leaf (scalar, enum), an object type, or a list of either, and every
field selected on its objects is plain too. Most fields of a large answer are.

A plain field's value is completed as graphql-core would complete it. Anything
unusual anywhere below it (null for a non-null position, an awaitable, an
exception, a value a scalar refuses, an object of the wrong type, a list that is
not a list or tuple) is left to graphql-core: it reads the field again and
reports the problem at its path the usual way. Reading again is safe: a plain
field reads, it changes nothing.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, NamedTuple

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    is_leaf_type,
)
from graphql.execution.collect_fields import CollectedFields, FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Undefined

from gql import strawberry_internals

NOT_PLAIN = object()
# Values every scalar's coercion takes as they are or refuses: never awaitable.
_PLAIN_VALUES = frozenset((str, int, float, bool))


class Field(NamedTuple):
    """How a plain field reads its object and what its value is."""

    getter: Callable[[Any], Any]
    nullable: bool
    is_list: bool
    item_nullable: bool
    # A leaf: its coercion; an object type: None (``selection`` says what to answer).
    coerce: Callable[[Any], Any] | None
    object_type: GraphQLObjectType | None
    is_type_of: Callable[[Any, Any], Any] | None


# A selection's fields: (response name, field details, its Field or None), with the
# plans of the selections on the objects of the object fields.
class Entry(NamedTuple):
    name: str
    details: FieldDetailsList
    field: Field | None
    selection: tuple[Entry, ...] | None


Plan = tuple[Entry, ...]
# Per schema, per (type name, field name): the field's Field, or None.
_fields: weakref.WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], Field | None]] = (
    weakref.WeakKeyDictionary()
)


def _unwrapped(field_type: GraphQLOutputType) -> tuple[bool, bool, bool, GraphQLOutputType]:
    """nullable, is a list, items nullable, the named type; (…, None-like) for a list
    of lists."""
    nullable = not isinstance(field_type, GraphQLNonNull)
    if isinstance(field_type, GraphQLNonNull):
        field_type = field_type.of_type
    if not isinstance(field_type, GraphQLList):
        return nullable, False, True, field_type
    item_type = field_type.of_type
    item_nullable = not isinstance(item_type, GraphQLNonNull)
    if isinstance(item_type, GraphQLNonNull):
        item_type = item_type.of_type
    return nullable, True, item_nullable, item_type


def _enum_coercion(enum_type: GraphQLEnumType) -> Callable[[Any], Any]:
    """Strawberry's coercion of its enums' members (the name of the first value equal
    to the member's), by a table; anything else the type's own coercion."""
    wrapped = strawberry_internals.enum_class(enum_type)
    if wrapped is None:
        return enum_type.coerce_output_value
    table: dict[Any, str] = {}
    for member in wrapped:
        for name, value in enum_type.values.items():
            if member.value == value.value:
                table[member] = name
                break
    coerce = enum_type.coerce_output_value

    def coerced(found: Any) -> Any:
        name = table.get(found) if type(found) is wrapped else None
        return coerce(found) if name is None else name

    return coerced


def _field(definition: GraphQLField) -> Field | None:
    field = strawberry_internals.strawberry_field(definition)
    if definition.args or field is None:
        return None
    getter = strawberry_internals.plain_getter(field)
    nullable, is_list, item_nullable, named = _unwrapped(definition.type)
    return None if getter is None else _typed(getter, nullable, is_list, item_nullable, named)


def _typed(
    getter: Callable[[Any], Any],
    nullable: bool,
    is_list: bool,
    item_nullable: bool,
    named: GraphQLOutputType,
) -> Field | None:
    if is_leaf_type(named):
        coerce = (
            _enum_coercion(named)
            if isinstance(named, GraphQLEnumType)
            else named.coerce_output_value
        )
        return Field(getter, nullable, is_list, item_nullable, coerce, None, None)
    if isinstance(named, GraphQLObjectType) and (
        named.is_type_of is None or strawberry_internals.is_type_of_ignores_info(named)
    ):
        return Field(getter, nullable, is_list, item_nullable, None, named, named.is_type_of)
    return None


def _itself(value: Any) -> Any:
    return value


class Plans:
    """One execution's plans, by selection (grouped field set)."""

    __slots__ = ("_by_items", "_by_selection", "_collect", "_fields", "_schema")

    def __init__(
        self,
        schema: GraphQLSchema,
        collect: Callable[[GraphQLObjectType, FieldDetailsList], CollectedFields],
    ) -> None:
        self._schema = schema
        self._collect = collect
        self._fields = _fields.setdefault(schema, {})
        # id(selection) -> (selection, plan): the selection is kept so its id stays its.
        self._by_selection: dict[int, tuple[GroupedFieldSet, Plan | None]] = {}
        self._by_items: dict[tuple[int, int], tuple[FieldDetailsList, Entry | None]] = {}

    def plan(self, parent_type: GraphQLObjectType, selection: GroupedFieldSet) -> Plan | None:
        """The selection's plan; None when none of its fields is plain."""
        found = self._by_selection.get(id(selection))
        if found is not None:
            return found[1]
        entries = tuple(
            self._entry(parent_type, name, details) for name, details in selection.items()
        )
        plan = entries if any(entry.field is not None for entry in entries) else None
        self._by_selection[id(selection)] = (selection, plan)
        return plan

    def items(self, item_type: GraphQLOutputType, details: FieldDetailsList) -> Entry | None:
        """How to complete a list of ``item_type`` (given as the field's value) the plain
        way; None when its items are not plain."""
        key = (id(item_type), id(details))
        found = self._by_items.get(key)
        if found is not None:
            return found[1]
        _, is_list, item_nullable, named = _unwrapped(GraphQLList(item_type))
        field = _typed(_itself, False, is_list, item_nullable, named)
        completed = self._completed(Entry("", details, field, None))
        entry = None if completed.field is None else completed
        self._by_items[key] = (details, entry)
        return entry

    def _entry(self, parent_type: GraphQLObjectType, name: str, details: FieldDetailsList) -> Entry:
        node = details[0].node
        field = None if node.arguments else self._field(parent_type, node.name.value)
        return self._completed(Entry(name, details, field, None))

    def _completed(self, entry: Entry) -> Entry:
        """The entry with the plan of its objects' selection; without its field when
        that selection is not all plain, or the field has a directive (@stream)."""
        name, details, field, _ = entry
        if field is not None and any(detail.node.directives for detail in details):
            return Entry(name, details, None, None)
        if field is None or field.object_type is None:
            return entry
        collected = self._collect(field.object_type, details)
        if collected.new_defer_usages or collected.forbidden_directive_instances:
            return Entry(name, details, None, None)
        selection = self.plan(field.object_type, collected.grouped_field_set)
        if selection is None or any(entry.field is None for entry in selection):
            return Entry(name, details, None, None)
        return Entry(name, details, field, selection)

    def _field(self, parent_type: GraphQLObjectType, name: str) -> Field | None:
        key = (parent_type.name, name)
        try:
            return self._fields[key]
        except KeyError:
            definition = self._schema.get_field(parent_type, name)
            field = self._fields[key] = None if definition is None else _field(definition)
            return field


def value(entry: Entry, source: Any, is_awaitable: Callable[[Any], bool]) -> Any:
    """The plain field's completed value, or NOT_PLAIN when graphql-core must answer it."""
    field = entry.field
    assert field is not None
    try:
        found = field.getter(source)
    except Exception:
        return NOT_PLAIN
    if found is None:
        return None if field.nullable else NOT_PLAIN
    if not field.is_list:
        return _item(entry, field, found, is_awaitable)
    if type(found) is not list and type(found) is not tuple:
        return NOT_PLAIN
    items: list[Any] = []
    for item in found:
        if item is None:
            if not field.item_nullable:
                return NOT_PLAIN
            items.append(None)
            continue
        completed = _item(entry, field, item, is_awaitable)
        if completed is NOT_PLAIN:
            return NOT_PLAIN
        items.append(completed)
    return items


def _item(entry: Entry, field: Field, found: Any, is_awaitable: Callable[[Any], bool]) -> Any:
    """One value (not null) of a leaf or an object type, completed."""
    if type(found) not in _PLAIN_VALUES and (isinstance(found, Exception) or is_awaitable(found)):
        return NOT_PLAIN
    if field.coerce is not None:
        try:
            coerced = field.coerce(found)
        except Exception:
            return NOT_PLAIN
        return NOT_PLAIN if coerced is None or coerced is Undefined else coerced
    if field.is_type_of is not None:
        try:
            if field.is_type_of(found, None) is not True:
                return NOT_PLAIN
        except Exception:
            return NOT_PLAIN
    answer = {}
    for sub in entry.selection or ():
        completed = value(sub, found, is_awaitable)
        if completed is NOT_PLAIN:
            return NOT_PLAIN
        answer[sub.name] = completed
    return answer

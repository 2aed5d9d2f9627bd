"""Introspection's lists, sized by what they return (gql/limits/cost.py counts with them).

Each ``__Type`` of an operation stands for a *subject*: a type of the schema the
count knows (``__type(name: "Mutation")``, ``__schema { mutationType }``), each of
the schema's types in turn (``__schema { types }``), or any type (the ``type`` of a
field or argument, ``ofType``, ``interfaces``, ``possibleTypes``). A known type's
lists count what it has (Mutation's fields, and the average number of arguments
of *its* fields, so that fields times arguments is what it holds); each type's, the
average over the schema (so that listing them for every type counts what the
schema holds); any type's, the largest in the schema (an upper bound). So thirty
aliases of ``__type(name: "Mutation") { fields { args { … } } }`` cost thirty
times Mutation's answer, not thirty times an average type's.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
)

# The subject of a __Type that is each of the schema's types in turn, or any one.
EACH = "each"
ANY = "any"
TypeSubject = GraphQLNamedType | str


@dataclass(frozen=True)
class Subject:
    """What an introspection object of the operation stands for: ``kind`` is the
    introspection type (``__Type``, ``__Field``: the fields of ``of``), ``of`` a type
    or EACH or ANY."""

    kind: str
    of: TypeSubject = ANY
    # For a __Type: how many ``ofType`` below it can be non-null (a named type has none;
    # a field's type is wrapped at most as deep as the schema's deepest).
    wrappers: int = 0


ANY_TYPE = Subject("__Type", ANY)
# An object the answer holds as null (``ofType`` of a named type): nothing below counts.
NULL = Subject("null")
INPUT_VALUE = Subject("__InputValue")
DIRECTIVE = Subject("__Directive")


def is_introspection(parent: GraphQLNamedType, name: str) -> bool:
    return parent.name.startswith("__") or name in ("__schema", "__type")


def _average_and_most(counts: list[int]) -> tuple[int, int]:
    if not counts:
        return 1, 1
    return math.ceil(sum(counts) / len(counts)), max(counts)


def _fields(kind: GraphQLNamedType) -> dict[str, GraphQLField]:
    if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType):
        return dict(kind.fields)
    return {}


def _count(schema: GraphQLSchema, kind: GraphQLNamedType, attribute: str) -> int:
    """How many items of one of its introspection lists a type has."""
    if attribute == "fields":
        return len(_fields(kind))
    if attribute == "inputFields":
        return len(kind.fields) if isinstance(kind, GraphQLInputObjectType) else 0
    if attribute == "interfaces":
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType):
            return len(kind.interfaces)
        return 0
    if attribute == "possibleTypes":
        abstract = isinstance(kind, GraphQLInterfaceType | GraphQLUnionType)
        return len(schema.get_possible_types(kind)) if abstract else 0  # type: ignore[arg-type]
    if attribute == "enumValues":
        return len(kind.values) if isinstance(kind, GraphQLEnumType) else 0
    return 0


TYPE_LISTS = ("fields", "inputFields", "interfaces", "possibleTypes", "enumValues")


@functools.lru_cache(maxsize=8)
def _figures(schema: GraphQLSchema) -> dict[str, tuple[int, int]]:
    types = list(schema.type_map.values())
    figures = {
        attribute: _average_and_most([_count(schema, t, attribute) for t in types])
        for attribute in TYPE_LISTS
    }
    fields = [f for t in types for f in _fields(t).values()]
    figures["args"] = _average_and_most([len(f.args) for f in fields])
    figures["directiveArgs"] = _average_and_most([len(d.args) for d in schema.directives])
    return figures


@functools.lru_cache(maxsize=256)
def _average_args(kind: GraphQLNamedType) -> int:
    return _average_and_most([len(f.args) for f in _fields(kind).values()])[0]


# Placeholder for the deepest wrapping of a field's or argument's type (NonNull, List),
# replaced by the schema's own figure in ``child``.
WRAPPED = -1


def _wrappers(kind: object) -> int:
    depth = 0
    while hasattr(kind, "of_type"):
        kind = kind.of_type
        depth += 1
    return depth


@functools.lru_cache(maxsize=8)
def _deepest_wrapping(schema: GraphQLSchema) -> int:
    types = list(schema.type_map.values())
    fields = [f for t in types for f in _fields(t).values()]
    inputs = [a for f in fields for a in f.args.values()] + [
        f for t in types if isinstance(t, GraphQLInputObjectType) for f in t.fields.values()
    ]
    return max([_wrappers(f.type) for f in [*fields, *inputs]], default=0)


# What the items (or the object) of each introspection field stand for.
_CHILDREN: dict[str, Callable[[Subject], Subject | None]] = {
    "__Type.fields": lambda s: Subject("__Field", s.of),
    "__Type.inputFields": lambda _: INPUT_VALUE,
    "__Type.interfaces": lambda _: ANY_TYPE,
    "__Type.possibleTypes": lambda _: ANY_TYPE,
    "__Type.ofType": lambda s: Subject("__Type", ANY, s.wrappers - 1) if s.wrappers else NULL,
    "__Type.enumValues": lambda _: None,
    "__Field.args": lambda _: INPUT_VALUE,
    "__Field.type": lambda _: Subject("__Type", ANY, WRAPPED),
    "__InputValue.type": lambda _: Subject("__Type", ANY, WRAPPED),
    "__Directive.args": lambda _: INPUT_VALUE,
    "__Schema.types": lambda _: Subject("__Type", EACH),
    "__Schema.directives": lambda _: DIRECTIVE,
}


def child(
    schema: GraphQLSchema,
    parent: GraphQLNamedType,
    name: str,
    subject: Subject | None,
    type_name: object = None,
) -> tuple[int | None, Subject | None]:
    """For an introspection field: how many items its list holds (None: not a list)
    and what its items (or its object) stand for. ``type_name``: the ``name``
    argument of ``__type``."""
    subject = subject or ANY_TYPE
    if name == "__type":
        named = schema.get_type(type_name) if isinstance(type_name, str) else None
        return None, Subject("__Type", named if named is not None else ANY)
    if name == "__schema":
        return None, Subject("__Schema")
    key = f"{parent.name}.{name}"
    if parent.name == "__Schema" and name in ("queryType", "mutationType", "subscriptionType"):
        root = {
            "queryType": schema.query_type,
            "mutationType": schema.mutation_type,
            "subscriptionType": schema.subscription_type,
        }[name]
        return None, Subject("__Type", root if root is not None else ANY)
    make = _CHILDREN.get(key)
    below = make(subject) if make is not None else None
    if below is not None and below.wrappers == WRAPPED:
        below = Subject(below.kind, below.of, _deepest_wrapping(schema))
    return _size(schema, key, subject), below


def _size(schema: GraphQLSchema, key: str, subject: Subject) -> int | None:
    figures = _figures(schema)
    parent, _, attribute = key.partition(".")
    if key == "__Schema.types":
        return len(schema.type_map)
    if key == "__Schema.directives":
        return len(schema.directives)
    if key == "__Directive.args":
        return figures["directiveArgs"][0]
    if parent == "__Type" and attribute in TYPE_LISTS:
        return _by_subject(figures[attribute], subject.of, lambda t: _count(schema, t, attribute))
    if key == "__Field.args":
        return _by_subject(figures["args"], subject.of, _average_args)
    return None


def _by_subject(
    figures: tuple[int, int], of: TypeSubject, known: Callable[[GraphQLNamedType], int]
) -> int:
    average, most = figures
    if of == EACH:
        return average
    if isinstance(of, str):
        return most
    return known(of)

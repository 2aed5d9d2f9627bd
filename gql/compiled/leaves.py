"""The leaves of a compiled answer: each scalar and enum serialized as graphql-core
would, and the exception that hands an execution back to the standard executor."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLScalarType,
    GraphQLString,
)
from graphql.pyutils import Undefined

# The leaf types whose values of these Python types graphql-core returns unchanged.
_UNCHANGED: dict[GraphQLScalarType | GraphQLEnumType, tuple[type, ...]] = {
    GraphQLString: (str,),
    GraphQLID: (str,),
    GraphQLBoolean: (bool,),
}


class Fallback(Exception):
    """This execution cannot be answered here; the standard executor answers it."""


def leaf_column(
    type_: GraphQLScalarType | GraphQLEnumType, nullable: bool
) -> Callable[[list[Any]], list[Any]]:
    """The serializer of a whole column of a leaf field (one value per object).

    A page has hundreds of strings and booleans that graphql-core returns as they
    are: their types are checked at once, in C, and only a column with anything
    else is serialized value by value."""
    serialize = leaf_serializer(type_)
    unchanged: set[type] = set(_UNCHANGED.get(type_, ()))
    if nullable:
        unchanged.add(type(None))

    def each(values: list[Any]) -> list[Any]:
        if not nullable and None in values:
            raise Fallback
        return [None if v is None else serialize(v) for v in values]

    if not unchanged - {type(None)}:
        return each

    def column(values: list[Any]) -> list[Any]:
        return values if set(map(type, values)) <= unchanged else each(values)

    return column


def leaf_serializer(type_: GraphQLScalarType | GraphQLEnumType) -> Callable[[Any], Any]:
    serialize = type_.serialize

    def checked(value: Any) -> Any:
        result = serialize(value)
        if result is None or result is Undefined:
            raise Fallback
        return result

    # What graphql-core would return unchanged, returned without asking it.
    if type_ is GraphQLString or type_ is GraphQLID:
        return lambda value: value if type(value) is str else checked(value)
    if type_ is GraphQLBoolean:
        return lambda value: value if type(value) is bool else checked(value)
    if type_ is GraphQLInt:
        return lambda value: (
            value if type(value) is int and -(2**31) <= value < 2**31 else checked(value)
        )
    if type_ is GraphQLFloat:
        return lambda value: (
            value if type(value) is float and math.isfinite(value) else checked(value)
        )
    if isinstance(type_, GraphQLEnumType):
        names: dict[Any, Any] = {}

        def enum_name(value: Any) -> Any:
            try:
                return names[value]
            except KeyError:
                names[value] = name = checked(value)
                return name

        return enum_name
    return checked

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


class Fallback(Exception):
    """This execution cannot be answered here; the standard executor answers it."""


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

"""What the compiled executor (gql/compiled/) needs from Strawberry beyond its public
API, in one place: the graphql-core schema behind a Strawberry schema, the
Strawberry field behind a graphql-core field, Strawberry's argument conversion,
the function behind a resolver, and how extensions hook field resolution.

Checked against strawberry-graphql ``VERIFIED_WITH``; tests/unit/
test_strawberry_internals.py fails, naming the installed version, when an
upgrade changes any of them.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from enum import Enum
from importlib.metadata import version
from typing import Any, cast

from graphql import GraphQLEnumType, GraphQLField, GraphQLObjectType, GraphQLSchema
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import Schema
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_arguments as _convert_arguments
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.execution import ExecutionContext
from strawberry.types.field import StrawberryField

VERIFIED_WITH = "0.341.2"


def installed_version() -> str:
    return version("strawberry-graphql")


def graphql_schema(schema: Schema) -> GraphQLSchema:
    return schema._schema


def strawberry_field(definition: GraphQLField) -> StrawberryField | None:
    """The Strawberry field a graphql-core field was made from; None for one made
    otherwise (introspection)."""
    found = (definition.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return found if isinstance(found, StrawberryField) else None


def is_guarded(field: StrawberryField) -> bool:
    """Whether something besides the resolver runs for the field: a permission or a
    field extension."""
    return bool(field.permission_classes or field.extensions)


def convert_arguments(
    schema: Schema, field: StrawberryField, raw: dict[str, Any]
) -> dict[str, Any]:
    """graphql-core's argument values as the resolver receives them: Python names,
    input types as their classes."""
    return _convert_arguments(
        raw,
        field.arguments,
        scalar_registry=schema.schema_converter.scalar_registry,
        config=schema.config,
    )


def plain_method(field: StrawberryField) -> Callable[[Any], Any] | None:
    """The function behind a resolver that takes ``self`` alone (no info, no
    arguments) and is not async; None for any other resolver."""
    resolver = field.base_resolver
    if resolver is None:
        return None
    method = resolver.wrapped_func
    parameters = resolver.signature.parameters
    if (
        resolver.is_async
        or isinstance(method, staticmethod | classmethod)
        or len(parameters) != 1
        or set(resolver.reserved_parameters.values()) - {None} != {parameters.get("self")}
    ):
        return None
    return cast("Callable[[Any], Any]", method)


def plain_getter(field: StrawberryField) -> Callable[[Any], Any] | None:
    """How a field reads its value from its object alone: its attribute (no resolver),
    or its resolver's plain method; None for a field with arguments, a permission, a
    field extension or any other resolver."""
    if field.arguments or is_guarded(field) or field.python_name is None:
        return None
    if field.base_resolver is None:
        return operator.attrgetter(field.python_name)
    return plain_method(field)


def enum_class(enum_type: GraphQLEnumType) -> type[Enum] | None:
    """The Python enum whose members Strawberry answers for an enum type; None for an
    enum type made otherwise."""
    found = getattr(enum_type, "wrapped_cls", None)
    return found if isinstance(found, type) and issubclass(found, Enum) else None


def is_type_of_ignores_info(object_type: GraphQLObjectType) -> bool:
    """Whether the type's ``is_type_of`` is the one Strawberry makes (for a type with
    interfaces), which looks at the value alone, not one the class defines."""
    definition = (object_type.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return isinstance(definition, StrawberryObjectDefinition) and definition.is_type_of is None


def hooks_every_field(schema: Schema) -> bool:
    """Whether a schema extension wraps every field's resolution (tracing, field
    checks): an executor that resolves fields itself would pass it by."""
    for extension in schema.extensions:
        if isinstance(extension, type):
            kind: type = extension
        elif isinstance(extension, SchemaExtension):
            kind = type(extension)
        else:
            kind = type(extension())  # a factory; ours are cheap and pure
        if getattr(kind, "resolve", None) is not SchemaExtension.resolve:
            return True
    return False


def provided_operation_name(context: ExecutionContext) -> str | None:
    """The operationName the request gave; Strawberry's ``operation_name`` falls back to
    the first operation's name, which hides a document of several operations sent
    without one."""
    provided = getattr(context, "_provided_operation_name", None)
    return provided if isinstance(provided, str) else None

"""Every element of the schema says what it is: the API is learnt from GraphiQL's
documentation pane, so a type, field, argument, input field or enum value without a
description is a gap in the manual."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    specified_scalar_types,
)
from graphql import build_schema as build_graphql_schema

from gql.limits import Limits
from gql.schema import build_schema
from gql.strawberry_internals import graphql_schema


def _described(name: str, description: str | None) -> list[str]:
    return [] if description and description.strip() else [name]


def _undescribed_in(named: GraphQLNamedType) -> list[str]:
    """The elements of one type without a description: the type itself, its fields and
    their arguments, its input fields, its enum values."""
    missing = _described(named.name, named.description)
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        for field_name, field in named.fields.items():
            missing += _described(f"{named.name}.{field_name}", field.description)
            for arg_name, arg in field.args.items():
                path = f"{named.name}.{field_name}({arg_name})"
                missing += _described(path, arg.description)
    elif isinstance(named, GraphQLInputObjectType):
        for field_name, input_field in named.fields.items():
            missing += _described(f"{named.name}.{field_name}", input_field.description)
    elif isinstance(named, GraphQLEnumType):
        for value_name, value in named.values.items():
            missing += _described(f"{named.name}.{value_name}", value.description)
    return missing


def undescribed_elements(schema: GraphQLSchema) -> list[str]:
    """Every element of the schema without a description, but introspection's own
    types and the built-in scalars, whose descriptions the GraphQL spec owns."""
    missing: list[str] = []
    for name, named in sorted(schema.type_map.items()):
        if name.startswith("__") or name in specified_scalar_types:
            continue
        missing += _undescribed_in(named)
    return missing


def test_every_schema_element_has_a_description() -> None:
    missing = undescribed_elements(graphql_schema(build_schema(Limits())))
    assert missing == [], f"{len(missing)} schema elements without a description: {missing}"


def test_the_check_names_each_kind_of_undescribed_element() -> None:
    """An empty walk would pass too: the check must find a gap of every kind."""
    sdl = """
        "A described query."
        type Query {
          "Described."
          node(id: ID!, "Described." first: Int): Thing
          other: Kind
        }
        interface Thing { id: ID! }
        "Described."
        enum Kind { "Described." ONE TWO }
        input Filter { "Described." search: String, limit: Int }
        scalar Date
    """
    schema = build_graphql_schema(sdl)
    assert undescribed_elements(schema) == [
        "Date",
        "Filter",
        "Filter.limit",
        "Kind.TWO",
        "Query.node(id)",
        "Query.other",
        "Thing",
        "Thing.id",
    ]

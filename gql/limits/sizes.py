"""How many items the lists of an operation can hold, for its cost (gql/limits/cost.py).

A connection counts its ``first`` (variables resolved; without it the default
page size, above the page limit the limit), ``resetUsers`` the number of its
``ids``; other lists count a size that their data can reach (``LIST_SIZES``,
introspection's from the schema itself), the page limit when nothing smaller is
known.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    OperationDefinitionNode,
    ValueNode,
    VariableNode,
    value_from_ast_untyped,
)

from domain.services.reset import MAX_USERS_PER_RESET

# Lists whose size their data bounds, by field ("Type.field") or by item type.
LIST_SIZES: Mapping[str, int] = {
    "User.teams": 10,
    "Location.configurationGroups": 20,
    "Administrator.locations": 20,
    # One result per action the reset ran: at most every option.
    "UserResetResult.actions": 6,
    # At most 20 per administrator; a delivery log at most 100.
    "Query.webhookEndpoints": 20,
    "WebhookEndpoint.events": 9,
    "WebhookEndpoint.deliveries": 100,
}
ITEM_SIZES: Mapping[str, int] = {
    # Errors and warnings of a payload: usually none, one per problem.
    "UserError": 1,
    "Setting": 20,
}
# Lists as long as the page (the ``first`` or ``ids`` of the field above them).
PAGED_LISTS = frozenset({"ResetUsersPayload.results"})
# Fields whose page is the length of a list argument, at most a maximum.
LIST_ARGUMENT_PAGES: Mapping[str, tuple[str, int]] = {
    "Mutation.resetUsers": ("ids", MAX_USERS_PER_RESET),
}


class Sizes:
    """Page and list sizes, with the request's variables."""

    def __init__(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any] | None,
        page_size: int,
        max_page_size: int,
    ) -> None:
        self.variables = dict(variables) if isinstance(variables, Mapping) else {}
        self.defaults = {
            definition.variable.name.value: definition.default_value
            for definition in operation.variable_definitions or ()
            if definition.default_value is not None
        }
        self.page_size = min(page_size, max_page_size)
        self.max_page_size = max_page_size
        self.introspection = introspection_list_sizes(schema)

    def page_of(self, key: str, node: FieldNode, definition: GraphQLField | None) -> int | None:
        """How many items the lists below this field hold, when an argument says."""
        if key in LIST_ARGUMENT_PAGES:
            argument, most = LIST_ARGUMENT_PAGES[key]
            value = self._argument(node, argument)
            items = len(value) if isinstance(value, list) else int(value is not None)
            return min(items, most)
        if definition is None or "first" not in definition.args:
            return None
        first = self._argument(node, "first")
        if first is None:
            return self.page_size
        if isinstance(first, float) and first.is_integer():
            first = int(first)  # JSON's 100.0: execution coerces it to 100
        if isinstance(first, int) and not isinstance(first, bool):
            return min(max(first, 0), self.max_page_size)
        # Anything else execution either refuses or coerces: count the most it may be.
        return self.max_page_size

    def list_size(
        self, parent: GraphQLNamedType, name: str, item: GraphQLNamedType, page: int | None
    ) -> int:
        key = f"{parent.name}.{name}"
        if page is not None and (
            key in PAGED_LISTS or (name == "edges" and parent.name.endswith("Connection"))
        ):
            return page
        for sizes, lookup in (
            (self.introspection, key),
            (LIST_SIZES, key),
            (ITEM_SIZES, item.name),
        ):
            if lookup in sizes:
                return sizes[lookup]
        return self.max_page_size

    def argument(self, node: FieldNode, name: str) -> Any:
        """The argument's value, variables resolved; None when not given."""
        return self._argument(node, name)

    def _argument(self, node: FieldNode, name: str) -> Any:
        for argument in node.arguments or ():
            if argument.name.value == name:
                return self._value(argument.value)
        return None

    def _value(self, node: ValueNode) -> Any:
        if isinstance(node, VariableNode):
            name = node.name.value
            if name in self.variables:
                return self.variables[name]
            default = self.defaults.get(name)
            return None if default is None else value_from_ast_untyped(default)
        return value_from_ast_untyped(node, self.variables)


@functools.lru_cache(maxsize=8)
def introspection_list_sizes(schema: GraphQLSchema) -> dict[str, int]:
    """Introspection's lists, sized by this schema: all its types and directives; the
    lists of one type or field, the average over all types or fields (so that listing
    them for every type counts what the schema holds)."""
    types = list(schema.type_map.values())
    fields = [
        f
        for t in types
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)
        for f in t.fields.values()
    ]

    def average(counts: list[int]) -> int:
        return math.ceil(sum(counts) / len(counts)) if counts else 1

    def each_type(attribute: str) -> int:
        return average([len(getattr(t, attribute, None) or ()) for t in types])

    abstract = [t for t in types if isinstance(t, GraphQLInterfaceType | GraphQLUnionType)]
    return {
        "__Schema.types": len(types),
        "__Schema.directives": len(schema.directives),
        "__Type.fields": each_type("fields"),
        "__Type.inputFields": each_type("fields"),
        "__Type.interfaces": each_type("interfaces"),
        "__Type.enumValues": each_type("values"),
        "__Type.possibleTypes": average(
            [len(schema.get_possible_types(t)) for t in abstract]
            + [0] * (len(types) - len(abstract))
        ),
        "__Field.args": average([len(f.args) for f in fields]),
        "__Directive.args": average([len(d.args) for d in schema.directives]),
    }

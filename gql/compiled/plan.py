"""Planning: a query's operation turned once into the plan of what to read and
write, field by field; anything the compiled executor does not do raises
NotCompiled (the module doc of gql/compiled/ lists what)."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_operation_ast,
    is_abstract_type,
)
from strawberry.types.field import StrawberryField

from domain.ports import DocumentShape
from gql import strawberry_internals
from gql.compiled.bulk import BULK_FIELDS, ROOT_FIELDS, BulkField, RootField
from gql.compiled.leaves import leaf_column, leaf_serializer


class NotCompiled(Exception):
    """The operation uses something the compiled executor does not do."""


@dataclass(slots=True)
class FieldPlan:
    key: str
    name: str
    nullable: bool
    is_list: bool
    item_nullable: bool
    # Exactly one of: an attribute getter, a bulk twin, a constant (__typename).
    getter: Callable[[Any], Any] | None = None
    bulk: BulkField | None = None
    constant: str | None = None
    # A leaf's serializer (of one value; of a column of them when not a list), or
    # the plan of the object(s) it yields.
    serialize: Callable[[Any], Any] | None = None
    serialize_column: Callable[[list[Any]], list[Any]] | None = None
    object_plan: ObjectPlan | None = None


@dataclass(slots=True)
class ObjectPlan:
    type_name: str
    fields: list[FieldPlan]
    keys: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.keys = tuple(f.key for f in self.fields)

    def field_names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields)


@dataclass(slots=True)
class RootPlan:
    field: FieldPlan
    node: FieldNode
    # None for __typename.
    resolve: RootField | None = None
    definition: GraphQLField | None = None
    strawberry_field: StrawberryField | None = None
    # The names of the fields selected on the root field's value.
    selected: frozenset[str] = frozenset()


@dataclass(slots=True)
class OperationPlan:
    operation: OperationDefinitionNode
    roots: list[RootPlan] = field(default_factory=list)
    # The users page as one document the database writes (documents.py), when it can be.
    document: DocumentShape | None = None


class Planner:
    """Plans of one schema's operations."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self._graphql = schema

    def plan_operation(self, document: DocumentNode, operation_name: str | None) -> OperationPlan:
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation is not OperationType.QUERY:
            raise NotCompiled
        root_type = self._graphql.query_type
        assert root_type is not None
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        plan = OperationPlan(operation)
        for key, nodes in self._collect(root_type, [operation.selection_set], fragments).items():
            name = nodes[0].name.value
            if name == "__typename":
                plan.roots.append(RootPlan(self._typename(key, root_type), nodes[0]))
                continue
            twin = ROOT_FIELDS.get(name)
            definition = root_type.fields.get(name)
            if twin is None or definition is None:
                raise NotCompiled
            resolve, understood = twin
            _check_twinned(definition, understood)
            field_plan = self._plan_field(key, name, definition.type, nodes, fragments)
            object_plan = field_plan.object_plan
            plan.roots.append(
                RootPlan(
                    field_plan,
                    nodes[0],
                    resolve,
                    definition,
                    strawberry_internals.strawberry_field(definition),
                    object_plan.field_names() if object_plan else frozenset(),
                )
            )
        return plan

    def _collect(
        self,
        type_: GraphQLObjectType,
        selection_sets: Iterable[SelectionSetNode],
        fragments: dict[str, FragmentDefinitionNode],
    ) -> dict[str, list[FieldNode]]:
        """Field nodes by response key, in document order (graphql-core's CollectFields,
        without directives: an operation with any is not compiled)."""
        fields: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()

        def visit(selection_set: SelectionSetNode) -> None:
            for selection in selection_set.selections:
                if selection.directives:
                    raise NotCompiled
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    fields.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    condition = selection.type_condition
                    if condition is None or self._applies(condition.name.value, type_):
                        visit(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = fragments.get(name)
                    if fragment is None or fragment.directives:
                        raise NotCompiled
                    if name in visited:
                        continue
                    visited.add(name)
                    if self._applies(fragment.type_condition.name.value, type_):
                        visit(fragment.selection_set)
                else:
                    raise NotCompiled

        for selection_set in selection_sets:
            visit(selection_set)
        return fields

    def _applies(self, condition: str, type_: GraphQLObjectType) -> bool:
        if condition == type_.name:
            return True
        named = self._graphql.get_type(condition)
        return (
            named is not None
            and is_abstract_type(named)
            and self._graphql.is_sub_type(named, type_)
        )

    def _typename(self, key: str, type_: GraphQLObjectType) -> FieldPlan:
        return FieldPlan(
            key,
            "__typename",
            nullable=False,
            is_list=False,
            item_nullable=False,
            constant=type_.name,
            serialize=str,
        )

    def _plan_field(
        self,
        key: str,
        name: str,
        type_: GraphQLOutputType,
        nodes: list[FieldNode],
        fragments: dict[str, FragmentDefinitionNode],
    ) -> FieldPlan:
        nullable = not isinstance(type_, GraphQLNonNull)
        inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        is_list = isinstance(inner, GraphQLList)
        item_nullable = False
        if isinstance(inner, GraphQLList):
            item = inner.of_type
            item_nullable = not isinstance(item, GraphQLNonNull)
            inner = item.of_type if isinstance(item, GraphQLNonNull) else item
            if isinstance(inner, GraphQLList | GraphQLNonNull):
                raise NotCompiled  # lists of lists
        plan = FieldPlan(key, name, nullable, is_list, item_nullable)
        if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
            plan.serialize = leaf_serializer(inner)
            if not is_list:
                plan.serialize_column = leaf_column(inner, nullable)
        elif isinstance(inner, GraphQLObjectType):
            plan.object_plan = self._plan_object(
                inner, [n.selection_set for n in nodes if n.selection_set], fragments
            )
        else:
            raise NotCompiled  # interfaces and unions
        return plan

    def _plan_object(
        self,
        type_: GraphQLObjectType,
        selection_sets: list[SelectionSetNode],
        fragments: dict[str, FragmentDefinitionNode],
    ) -> ObjectPlan:
        plans: list[FieldPlan] = []
        for key, nodes in self._collect(type_, selection_sets, fragments).items():
            name = nodes[0].name.value
            if name == "__typename":
                plans.append(self._typename(key, type_))
                continue
            definition = type_.fields.get(name)
            if definition is None or any(n.arguments for n in nodes):
                raise NotCompiled
            plan = self._plan_field(key, name, definition.type, nodes, fragments)
            bulk = BULK_FIELDS.get((type_.name, name))
            if bulk is not None:
                _check_twinned(definition, frozenset())
                plan.bulk = bulk
            else:
                plan.getter = _field_getter(definition)
            plans.append(plan)
        return ObjectPlan(type_.name, plans)


def _check_twinned(definition: GraphQLField, understood: frozenset[str]) -> None:
    """A twin answers for its resolver alone: not for a permission, a field extension
    or an argument added to the field later."""
    strawberry_field = strawberry_internals.strawberry_field(definition)
    if (
        strawberry_field is None
        or strawberry_internals.is_guarded(strawberry_field)
        or set(definition.args) - understood
    ):
        raise NotCompiled


def _field_getter(definition: GraphQLField) -> Callable[[Any], Any]:
    """A plain Strawberry field's value is its attribute; a field whose resolver is a
    plain method (``self`` only: no info, no arguments, not async) is that method.
    Anything else is not compiled."""
    strawberry_field = strawberry_internals.strawberry_field(definition)
    if (
        strawberry_field is None
        or strawberry_field.arguments
        or strawberry_internals.is_guarded(strawberry_field)
        or strawberry_field.python_name is None
    ):
        raise NotCompiled
    if strawberry_field.base_resolver is None:
        return operator.attrgetter(strawberry_field.python_name)
    method = strawberry_internals.plain_method(strawberry_field)
    if method is None:
        raise NotCompiled
    return method

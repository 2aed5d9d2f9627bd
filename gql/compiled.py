"""Compiled execution of the hot read queries.

Why: graphql-core completes every field of every object on its own (a
resolver call, an ``Info``, an awaitable check, a path), about 20 µs each; a
page of 100 users with location, group and teams is some 2,400 fields, ten
times the work of the statements behind it. A query whose every field is
either a plain attribute of our types or has a bulk twin (gql/bulk.py) is
planned once per document and then executed level by level: each field is
read for all objects of its level at once, with one statement per level for
the fields that load something, and the answer is built as plain dicts.

What is not compiled runs through Strawberry as always: mutations,
subscriptions, introspection, abstract types, directives, fields with
arguments below the root, and fields whose resolver has no twin. A compiled
execution that meets anything unusual (an error, a null where the schema
promises a value, variables that do not coerce) gives up without a trace and
the standard executor answers, errors and all: queries change nothing, so
running one again is safe. Answers are equal on both paths (tests/api/
test_compiled_api.py compares them).
"""

from __future__ import annotations

import logging
import math
import operator
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, cast
from weakref import WeakKeyDictionary

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_operation_ast,
    is_abstract_type,
)
from graphql.execution.values import get_argument_values, get_variable_values
from graphql.pyutils import Undefined
from strawberry.extensions import SchemaExtension
from strawberry.schema.base import BaseSchema
from strawberry.schema.schema import Schema
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from domain.errors import DomainError, Forbidden, NotAuthenticated
from gql.bulk import BULK_FIELDS, ROOT_FIELDS, BulkField, Reads, RootField
from gql.context import Context

logger = logging.getLogger("connect_admin.gql.compiled")

STRAWBERRY_FIELD = "strawberry-definition"
PLAN_CACHE_SIZE = 256


class NotCompiled(Exception):
    """The operation uses something the compiled executor does not do."""


class Fallback(Exception):
    """This execution cannot be answered here; the standard executor answers it."""


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
    # A leaf's serializer, or the plan of the object(s) it yields.
    serialize: Callable[[Any], Any] | None = None
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


def _leaf_serializer(type_: GraphQLScalarType | GraphQLEnumType) -> Callable[[Any], Any]:
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


class Compiler:
    """Plans for one schema, cached by query text and operation name."""

    def __init__(self, schema: Schema) -> None:
        self._schema = schema
        self._graphql: GraphQLSchema = schema._schema
        self._plans: OrderedDict[tuple[str, str | None], OperationPlan | None] = OrderedDict()
        self.compiled = 0
        self.fallbacks = 0

    def plan(
        self, query: str, document: DocumentNode, operation_name: str | None
    ) -> OperationPlan | None:
        key = (query, operation_name)
        try:
            self._plans.move_to_end(key)
            return self._plans[key]
        except KeyError:
            pass
        try:
            plan: OperationPlan | None = self._plan_operation(document, operation_name)
        except NotCompiled:
            plan = None
        self._plans[key] = plan
        if len(self._plans) > PLAN_CACHE_SIZE:
            self._plans.popitem(last=False)
        return plan

    # --- planning -----------------------------------------------------------------

    def _plan_operation(self, document: DocumentNode, operation_name: str | None) -> OperationPlan:
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
                    _strawberry_field(definition),
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
            plan.serialize = _leaf_serializer(inner)
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

    # --- execution ----------------------------------------------------------------

    async def execute(
        self, plan: OperationPlan, context: Context, variables: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The operation's data; raises Fallback when the standard executor must answer."""
        coerced = get_variable_values(
            self._graphql, plan.operation.variable_definitions or (), variables or {}
        )
        if isinstance(coerced, list):
            raise Fallback
        services = context.services()
        data: dict[str, Any] = {}
        async with services.uow.snapshot() as uow:
            reads = Reads(context, replace(services, uow=uow))
            for root in plan.roots:
                field_plan = root.field
                if root.resolve is None or root.definition is None:
                    data[field_plan.key] = field_plan.constant
                    continue
                try:
                    raw = get_argument_values(root.definition, root.node, coerced)
                except GraphQLError:
                    raise Fallback from None
                arguments = self._convert(root.strawberry_field, raw)
                value = await root.resolve(reads, arguments, root.selected)
                (data[field_plan.key],) = await _complete(reads, field_plan, [value])
        return data

    def _convert(
        self, strawberry_field: StrawberryField | None, raw: dict[str, Any]
    ) -> dict[str, Any]:
        if strawberry_field is None:
            return raw
        return convert_arguments(
            raw,
            strawberry_field.arguments,
            scalar_registry=self._schema.schema_converter.scalar_registry,
            config=self._schema.config,
        )


async def _complete(reads: Reads, plan: FieldPlan, values: list[Any]) -> list[Any]:
    """The field's answers for one value per parent."""
    object_plan = plan.object_plan
    if object_plan is None:
        serialize = plan.serialize
        assert serialize is not None
        if not plan.is_list:
            if not plan.nullable and None in values:
                raise Fallback
            return [None if v is None else serialize(v) for v in values]
        return [
            None
            if v is None and plan.nullable
            else [_leaf(serialize, item, plan.item_nullable) for item in _items(v)]
            for v in values
        ]
    if not plan.is_list:
        present = [v for v in values if v is not None]
        if len(present) != len(values) and not plan.nullable:
            raise Fallback
        done = iter(await _objects(reads, object_plan, present))
        return [None if v is None else next(done) for v in values]
    lists: list[list[Any] | None] = []
    flat: list[Any] = []
    for v in values:
        if v is None:
            if not plan.nullable:
                raise Fallback
            lists.append(None)
            continue
        items = _items(v)
        lists.append(items)
        for item in items:
            if item is None:
                if not plan.item_nullable:
                    raise Fallback
            else:
                flat.append(item)
    done = iter(await _objects(reads, object_plan, flat))
    return [
        None if items is None else [None if item is None else next(done) for item in items]
        for items in lists
    ]


async def _objects(reads: Reads, plan: ObjectPlan, objects: list[Any]) -> list[dict[str, Any]]:
    """Each object's selected fields, one field at a time for all objects."""
    if not objects:
        return []
    if not plan.fields:
        # Nothing applies to this type (``... on Node { ... on User { id } }`` on a
        # Location): each object is an empty map, as graphql-core answers.
        return [{} for _ in objects]
    columns: list[list[Any]] = []
    for field_plan in plan.fields:
        if field_plan.getter is not None:
            values = list(map(field_plan.getter, objects))
        elif field_plan.bulk is not None:
            values = list(await field_plan.bulk(reads, objects))
            if len(values) != len(objects):
                raise Fallback
        else:
            values = [field_plan.constant] * len(objects)
        columns.append(await _complete(reads, field_plan, values))
    # Column by column above, row by row here: both loops run in C.
    keys = plan.keys
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]


def _leaf(serialize: Callable[[Any], Any], value: Any, nullable: bool) -> Any:
    if value is None:
        if not nullable:
            raise Fallback
        return None
    return serialize(value)


def _items(value: Any) -> list[Any]:
    if isinstance(value, str | bytes | dict) or not isinstance(value, Iterable):
        raise Fallback
    return list(value)


def _strawberry_field(definition: GraphQLField) -> StrawberryField | None:
    found = (definition.extensions or {}).get(STRAWBERRY_FIELD)
    return found if isinstance(found, StrawberryField) else None


def _check_twinned(definition: GraphQLField, understood: frozenset[str]) -> None:
    """A twin answers for its resolver alone: not for a permission, a field extension
    or an argument added to the field later."""
    strawberry_field = _strawberry_field(definition)
    if (
        strawberry_field is None
        or strawberry_field.permission_classes
        or strawberry_field.extensions
        or set(definition.args) - understood
    ):
        raise NotCompiled


def _field_getter(definition: GraphQLField) -> Callable[[Any], Any]:
    """A plain Strawberry field's value is its attribute; a field whose resolver is a
    plain method (``self`` only: no info, no arguments, not async) is that method.
    Anything else is not compiled."""
    strawberry_field = _strawberry_field(definition)
    if (
        strawberry_field is None
        or strawberry_field.arguments
        or strawberry_field.permission_classes
        or strawberry_field.extensions
        or strawberry_field.python_name is None
    ):
        raise NotCompiled
    resolver = strawberry_field.base_resolver
    if resolver is None:
        return operator.attrgetter(strawberry_field.python_name)
    method = resolver.wrapped_func
    if (
        resolver.is_async
        or isinstance(method, staticmethod | classmethod)
        or len(resolver.signature.parameters) != 1
        or set(resolver.reserved_parameters.values()) - {None}
        != {resolver.signature.parameters.get("self")}
    ):
        raise NotCompiled
    return cast("Callable[[Any], Any]", method)


_compilers: WeakKeyDictionary[BaseSchema, Compiler | None] = WeakKeyDictionary()


def compiler_of(schema: BaseSchema) -> Compiler | None:
    """The schema's compiler; None when a schema extension hooks every field's
    resolution (tracing, field checks): compiled fields would pass it by."""
    if not isinstance(schema, Schema):
        return None
    if schema not in _compilers:
        _compilers[schema] = None if _hooks_every_field(schema) else Compiler(schema)
    return _compilers[schema]


def _hooks_every_field(schema: Schema) -> bool:
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


# Raised by services for the client's own mistakes: the standard executor reports them.
EXPECTED_ERRORS = (DomainError, Forbidden, NotAuthenticated)


class CompiledExecution(SchemaExtension):
    """Answers compilable queries before graphql-core runs (see the module's doc).

    List it after AuthenticationGate: a refused operation already has its result.
    A schema with an extension that has a ``resolve`` hook is never compiled.
    Only for async execution (``on_execute`` is asynchronous).
    """

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        document, query = execution.graphql_document, execution.query
        compiler = compiler_of(execution.schema)
        if execution.result is None and document is not None and query and compiler:
            try:
                plan = compiler.plan(query, document, execution.operation_name)
                data = (
                    None
                    if plan is None
                    else await compiler.execute(plan, execution.context, execution.variables)
                )
            except (Fallback, *EXPECTED_ERRORS):
                compiler.fallbacks += 1
            except Exception:
                compiler.fallbacks += 1
                request_id = getattr(execution.context, "request_id", None)
                logger.warning(
                    "compiled execution failed; the standard executor answers (request %s)",
                    request_id,
                    exc_info=True,
                    extra={"request_id": request_id},
                )
            else:
                if data is not None:
                    compiler.compiled += 1
                    execution.result = ExecutionResult(data=data, errors=None)
                    record = getattr(execution.context, "record", None)
                    if record is not None:
                        record.compiled = True
        yield

"""The compiler of one schema: its plans, cached by query text and operation name,
and their execution against one read transaction."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from typing import Any
from weakref import WeakKeyDictionary

from graphql import DocumentNode, GraphQLError
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from strawberry.schema.base import BaseSchema
from strawberry.schema.schema import Schema

from gql import strawberry_internals
from gql.compiled.bulk import Reads
from gql.compiled.documents import users_document, users_document_shape
from gql.compiled.leaves import Fallback
from gql.compiled.plan import NotCompiled, OperationPlan, Planner, RootPlan
from gql.compiled.results import complete
from gql.context import Context

PLAN_CACHE_SIZE = 256


class Compiler:
    """Plans for one schema, cached by query text and operation name."""

    def __init__(self, schema: Schema) -> None:
        self._schema = schema
        self._graphql = strawberry_internals.graphql_schema(schema)
        self._planner = Planner(self._graphql)
        self._plans: OrderedDict[tuple[str, str | None], OperationPlan | None] = OrderedDict()
        self.compiled = 0
        self.fallbacks = 0
        # Of the compiled: those answered by one document the database wrote.
        self.documents = 0

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
            plan: OperationPlan | None = self._planner.plan_operation(document, operation_name)
        except NotCompiled:
            plan = None
        if plan is not None:
            plan.document = users_document_shape(plan)
        self._plans[key] = plan
        if len(self._plans) > PLAN_CACHE_SIZE:
            self._plans.popitem(last=False)
        return plan

    async def execute(
        self, plan: OperationPlan, context: Context, variables: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The operation's data; raises Fallback when the standard executor must answer."""
        coerced = get_variable_values(
            self._graphql, plan.operation.variable_definitions or (), variables or {}
        )
        if isinstance(coerced, list):
            raise Fallback
        if plan.document is not None:
            (root,) = plan.roots
            value = await users_document(context, self._arguments(root, coerced), plan.document)
            if value is not None:
                self.documents += 1
                return {root.field.key: value}
        services = context.services()
        data: dict[str, Any] = {}
        async with services.uow.snapshot() as uow:
            reads = Reads(context, replace(services, uow=uow))
            for root in plan.roots:
                field_plan = root.field
                if root.resolve is None:
                    data[field_plan.key] = field_plan.constant
                    continue
                value = await root.resolve(reads, self._arguments(root, coerced), root.selected)
                (data[field_plan.key],) = await complete(reads, field_plan, [value])
        return data

    def _arguments(self, root: RootPlan, coerced: VariableValues) -> dict[str, Any]:
        """The root field's arguments, as its resolver would get them."""
        assert root.definition is not None
        try:
            raw = get_argument_values(root.definition, root.node, coerced)
        except GraphQLError:
            raise Fallback from None
        if root.strawberry_field is None:
            return raw
        return strawberry_internals.convert_arguments(self._schema, root.strawberry_field, raw)


_compilers: WeakKeyDictionary[BaseSchema, Compiler | None] = WeakKeyDictionary()


def compiler_of(schema: BaseSchema) -> Compiler | None:
    """The schema's compiler; None when a schema extension hooks every field's
    resolution (tracing, field checks): compiled fields would pass it by."""
    if not isinstance(schema, Schema):
        return None
    if schema not in _compilers:
        hooked = strawberry_internals.hooks_every_field(schema)
        _compilers[schema] = None if hooked else Compiler(schema)
    return _compilers[schema]

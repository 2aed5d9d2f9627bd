"""``Limits``, and the schema extensions that enforce them, in the order they run.

The token limit stops the parser itself (Strawberry's ``MaxTokensLimiter``).
Then the limit rules (gql/limits/rules.py) run first and alone: a document over
a limit is neither validated further nor executed. Then the operation's cost
(gql/limits/cost.py), with the request's variables: over the ceiling it is
refused (``QUERY_TOO_COSTLY``) before the rest of validation. With
introspection off, ``__schema`` and ``__type`` are refused, and "Did you mean
…" suggestions are left out of error messages unless ``suggestions`` says
otherwise. Last, the caller's budget pays the cost (gql/limits/budget.py).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from graphql.validation.rules import ASTValidationRule
from opentelemetry import trace
from strawberry.extensions import MaxTokensLimiter, SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from domain.error_codes import ErrorCode
from domain.principals import Anonymous
from gql.limits.budget import CostBudgetGate
from gql.limits.cost import (
    EXTENSIONS_KEY,
    Cost,
    cost_report,
    operation_cost,
    too_costly,
    variables_key,
)
from gql.limits.rules import max_aliases_and_directives_rule, max_depth_rule
from gql.strawberry_internals import provided_operation_name

SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
# A span for the cost check when the server records traces (server/tracing.py); else
# OpenTelemetry's API does nothing.
_tracer = trace.get_tracer("connect_admin.gql")
# A document that may introspect (`__typename` does not count); a false alarm in a
# string only lowers an anonymous caller's ceiling.
INTROSPECTS = re.compile(r"__(schema|type)\b")


def unnamed_operations(document: DocumentNode) -> list[GraphQLError]:
    """A document of several operations needs an operationName (the GraphQL spec's
    GetOperation: a request error), rather than running the first one."""
    operations = sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
    if operations < 2:
        return []
    return [
        GraphQLError(
            f"The document has {operations} operations: name the one to run in operationName.",
            extensions={"code": ErrorCode.OPERATION_NAME_REQUIRED},
        )
    ]


@dataclass(frozen=True)
class Limits:
    max_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 2000
    max_directives: int = 50
    # The cost ceiling of one operation, and the page sizes its connections count with.
    max_cost: int = 1_000_000
    # For callers without a token, who have no budget (sign-in, introspection).
    max_anonymous_cost: int = 100_000
    # Lower still for their operations that introspect (__schema, __type): GraphiQL's
    # own introspection query fits (about 15,000), thirty copies of a big type do not.
    max_anonymous_introspection_cost: int = 26_000
    page_size: int = 20
    max_page_size: int = 100
    introspection: bool = True
    # None: suggestions exactly when introspection is on (they would leak the schema).
    suggestions: bool | None = None

    @property
    def show_suggestions(self) -> bool:
        return self.introspection if self.suggestions is None else self.suggestions


Rules = tuple[type[ASTValidationRule], ...]


@dataclass(frozen=True)
class Validator:
    """Both steps cached per query text: the limit rules, and the rest of validation."""

    limits: Callable[[GraphQLSchema, str | None, DocumentNode], list[GraphQLError]]
    rest: Callable[[GraphQLSchema, str | None, DocumentNode, Rules], list[GraphQLError]]
    cost: _CostPerQuery


class _PerQueryText:
    """A validation's errors cached per schema, query text (and rules).

    Keyed by the text, not the document parsed from it (which gives the same errors):
    a str keeps its hash, a DocumentNode computes its own anew over its whole tree on
    every look-up."""

    def __init__(self, validate: Callable[..., list[GraphQLError]], maxsize: int = 256) -> None:
        self._validate = validate
        self._maxsize = maxsize
        self._errors: OrderedDict[tuple[Any, ...], list[GraphQLError]] = OrderedDict()

    def __call__(
        self, schema: GraphQLSchema, query: str | None, document: DocumentNode, *rules: Rules
    ) -> list[GraphQLError]:
        if query is None:  # a document without its text: nothing to key it by
            return self._validate(schema, document, *rules)
        key = (schema, query, *rules)
        try:
            self._errors.move_to_end(key)
            return self._errors[key]
        except KeyError:
            pass
        errors = self._errors[key] = self._validate(schema, document, *rules)
        if len(self._errors) > self._maxsize:
            self._errors.popitem(last=False)
        return errors


class _CostPerQuery:
    """The operation's cost cached per schema, query text, operation, limit and what
    of the variables it reads (gql/limits/cost.py variables_key): counting runs on
    every request, and the same query comes back with other ids."""

    def __init__(self, limits: Limits, maxsize: int = 256) -> None:
        self._limits = limits
        self._maxsize = maxsize
        self._costs: OrderedDict[tuple[Any, ...], Cost] = OrderedDict()

    def __call__(
        self,
        schema: GraphQLSchema,
        query: str | None,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        limit: int,
    ) -> Cost:
        key = (schema, query, operation_name, limit, variables_key(variables))
        if query is not None:
            try:
                self._costs.move_to_end(key)
                return self._costs[key]
            except KeyError:
                pass
        cost = operation_cost(
            schema,
            document,
            operation_name,
            variables,
            limit=limit,
            page_size=self._limits.page_size,
            max_page_size=self._limits.max_page_size,
        )
        if query is not None:
            self._costs[key] = cost
            if len(self._costs) > self._maxsize:
                self._costs.popitem(last=False)
        return cost


def _validator(limits: Limits) -> Validator:
    limit_rules = (
        max_depth_rule(limits.max_depth),
        max_aliases_and_directives_rule(limits.max_aliases, limits.max_directives),
    )
    # What Strawberry's validate_document adds to the rules (strawberry.schema.schema).
    extra_rules: Rules = (MaybeNullValidationRule, OneOfInputValidationRule)
    # Strawberry's DisableIntrospection adds this rule too, but per request, to a new
    # tuple of rules (the key of the cache below): here it costs nothing per request.
    if not limits.introspection:
        extra_rules += (NoSchemaIntrospectionCustomRule,)
    hide_suggestions = not limits.show_suggestions

    def over_limits(schema: GraphQLSchema, document: DocumentNode) -> list[GraphQLError]:
        return validate(schema, document, limit_rules)

    def invalid(schema: GraphQLSchema, document: DocumentNode, rules: Rules) -> list[GraphQLError]:
        return validate(schema, document, (*rules, *extra_rules), hide_suggestions=hide_suggestions)

    return Validator(_PerQueryText(over_limits), _PerQueryText(invalid), _CostPerQuery(limits))


class QueryLimits(MaxTokensLimiter):
    """Strawberry's token limit for the parser; then the limit rules first, the
    operation's cost (with this request's variables), then (cached) validation.
    Replaces Strawberry's ValidationCache, which validates everything at once.

    One extension rather than MaxTokensLimiter beside it: each extension costs every
    request an instance and its hooks."""

    def __init__(self, limits: Limits, validator: Validator) -> None:
        super().__init__(max_token_count=limits.max_tokens)
        self.limits = limits
        self.validator = validator

    def on_operation(self) -> Iterator[None]:
        yield from super().on_operation()
        if not self.limits.show_suggestions:
            # Validation leaves "Did you mean …?" out itself; variables and execution do not.
            result = self.execution_context.result
            for error in getattr(result, "errors", None) or ():
                error.message = SUGGESTION.sub("", error.message)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        assert document is not None
        schema = context.schema._schema
        errors = self.validator.limits(schema, context.query, document)
        if not errors and provided_operation_name(context) is None:
            errors = unnamed_operations(document)
        if not errors:
            anonymous = isinstance(getattr(context.context, "principal", None), Anonymous)
            limit = self.limits.max_anonymous_cost if anonymous else self.limits.max_cost
            if anonymous and INTROSPECTS.search(context.query or ""):
                limit = min(limit, self.limits.max_anonymous_introspection_cost)
            with _tracer.start_as_current_span("cost check") as span:
                cost = self.validator.cost(
                    schema,
                    context.query,
                    document,
                    context.operation_name,
                    context.variables,
                    limit,
                )
                span.set_attribute("cost.requested", cost.points)
                span.set_attribute("cost.limit", limit)
            context.extensions_results[EXTENSIONS_KEY] = cost_report(cost, limit)
            if cost.over_limit:
                errors = [too_costly(cost, limit)]
            else:
                errors = self.validator.rest(
                    schema, context.query, document, context.validation_rules
                )
        context.pre_execution_errors = errors
        yield


def limit_extensions(limits: Limits) -> list[Callable[[], SchemaExtension]]:
    """The schema extensions enforcing ``limits`` (they replace ValidationCache), and
    the budget gate; list them after AuthenticationGate, before CompiledExecution."""
    validator = _validator(limits)
    return [lambda: QueryLimits(limits, validator), CostBudgetGate]

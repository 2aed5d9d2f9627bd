"""Limits on what one GraphQL document may ask for, checked before anything runs.

``Limits`` holds them; :func:`limit_extensions` turns them into schema
extensions. The limit rules (depth, aliases, directives) run first and alone:
a document over a limit is refused with one clear error (``extensions.code``
``QUERY_TOO_DEEP``, ``TOO_MANY_ALIASES`` or ``TOO_MANY_DIRECTIVES``) and is
neither validated further nor executed. Then the operation's cost
(gql/cost.py), with the request's variables: over ``max_cost`` it is refused
(``QUERY_TOO_COSTLY``) before the rest of validation. The token limit stops
the parser itself. With introspection off, ``__schema`` and ``__type`` are refused, and
"Did you mean …" suggestions are left out of error messages unless
``suggestions`` says otherwise.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from graphql.validation.rules import ASTValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from domain.principals import Anonymous
from gql.cost import (
    EXTENSIONS_KEY,
    CostBudgetGate,
    cost_report,
    operation_cost,
    too_costly,
)

# Type references nest (`type { ofType { ofType … } } }`) without going deeper
# into the data; GraphiQL's own introspection query needs nine of them.
TYPE_WRAPPER_FIELD = "ofType"
SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


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
    page_size: int = 20
    max_page_size: int = 100
    introspection: bool = True
    # None: suggestions exactly when introspection is on (they would leak the schema).
    suggestions: bool | None = None

    @property
    def show_suggestions(self) -> bool:
        return self.introspection if self.suggestions is None else self.suggestions


def _refusal(message: str, code: str, limit: int) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, "limit": limit})


# --- depth -------------------------------------------------------------------------


def _summarize(selection_set: SelectionSetNode) -> tuple[int, list[tuple[int, str]]]:
    """The deepest field below a selection set, and its fragment spreads with their depth."""
    deepest = 0
    spreads: list[tuple[int, str]] = []
    stack = [(selection_set, 0)]
    while stack:
        current, depth = stack.pop()
        for selection in current.selections:
            if isinstance(selection, FieldNode):
                below = depth if selection.name.value == TYPE_WRAPPER_FIELD else depth + 1
                deepest = max(deepest, below)
                if selection.selection_set is not None:
                    stack.append((selection.selection_set, below))
            elif isinstance(selection, InlineFragmentNode):
                stack.append((selection.selection_set, depth))
            elif isinstance(selection, FragmentSpreadNode):
                spreads.append((depth, selection.name.value))
    return deepest, spreads


def operation_depths(document: DocumentNode) -> dict[str, int]:
    """Each operation's depth in fields (``ofType`` not counted), fragments expanded.

    Iterative, so that a long chain of fragments cannot exhaust the stack; a
    fragment cycle counts once (the standard rules refuse it anyway).
    """
    summaries = {
        definition.name.value: _summarize(definition.selection_set)
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    resolved: dict[str, int] = {}
    for name in summaries:
        stack = [name]
        expanding: set[str] = set()
        while stack:
            current = stack[-1]
            if current in resolved:
                stack.pop()
                continue
            local, spreads = summaries[current]
            pending = [
                spread
                for _, spread in spreads
                if spread in summaries and spread not in resolved and spread not in expanding
            ]
            if pending and current not in expanding:
                expanding.add(current)
                stack.extend(pending)
                continue
            expanding.discard(current)
            resolved[current] = max(
                [local, *(offset + resolved.get(spread, 0) for offset, spread in spreads)]
            )
            stack.pop()
    depths: dict[str, int] = {}
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            local, spreads = _summarize(definition.selection_set)
            name = definition.name.value if definition.name else "anonymous"
            depths[name] = max([local, *(o + resolved.get(s, 0) for o, s in spreads)])
    return depths


def max_depth_rule(max_depth: int) -> type[ASTValidationRule]:
    class MaxDepthRule(ValidationRule):
        def enter_document(self, node: DocumentNode, *_: Any) -> None:
            for name, depth in operation_depths(node).items():
                if depth > max_depth:
                    self.report_error(
                        _refusal(
                            f"The operation '{name}' is nested {depth} levels deep; "
                            f"at most {max_depth} are allowed.",
                            "QUERY_TOO_DEEP",
                            max_depth,
                        )
                    )

    return MaxDepthRule


# --- aliases and directives ----------------------------------------------------------


def max_aliases_rule(max_aliases: int) -> type[ASTValidationRule]:
    class MaxAliasesRule(ValidationRule):
        count = 0

        def enter_field(self, node: FieldNode, *_: Any) -> None:
            if node.alias is not None:
                self.count += 1

        def leave_document(self, *_: Any) -> None:
            if self.count > max_aliases:
                self.report_error(
                    _refusal(
                        f"The document has {self.count} aliases; at most {max_aliases} "
                        "are allowed.",
                        "TOO_MANY_ALIASES",
                        max_aliases,
                    )
                )

    return MaxAliasesRule


def max_directives_rule(max_directives: int) -> type[ASTValidationRule]:
    class MaxDirectivesRule(ValidationRule):
        count = 0

        def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
            self.count += 1

        def leave_document(self, *_: Any) -> None:
            if self.count > max_directives:
                self.report_error(
                    _refusal(
                        f"The document uses {self.count} directives; at most "
                        f"{max_directives} are allowed.",
                        "TOO_MANY_DIRECTIVES",
                        max_directives,
                    )
                )

    return MaxDirectivesRule


# --- the extensions ------------------------------------------------------------------

Rules = tuple[type[ASTValidationRule], ...]


@dataclass(frozen=True)
class Validator:
    """Both steps cached per document: the limit rules, and the rest of validation."""

    limits: Callable[[GraphQLSchema, DocumentNode], list[GraphQLError]]
    rest: Callable[[GraphQLSchema, DocumentNode, Rules], list[GraphQLError]]


def _validator(limits: Limits) -> Validator:
    limit_rules = (
        max_depth_rule(limits.max_depth),
        max_aliases_rule(limits.max_aliases),
        max_directives_rule(limits.max_directives),
    )
    extra_rules: Rules = (MaybeNullValidationRule, OneOfInputValidationRule)
    if not limits.introspection:
        extra_rules += (NoSchemaIntrospectionCustomRule,)
    hide_suggestions = not limits.show_suggestions

    @functools.lru_cache(maxsize=256)
    def over_limits(schema: GraphQLSchema, document: DocumentNode) -> list[GraphQLError]:
        return validate(schema, document, limit_rules)

    @functools.lru_cache(maxsize=256)
    def invalid(schema: GraphQLSchema, document: DocumentNode, rules: Rules) -> list[GraphQLError]:
        return validate(schema, document, (*rules, *extra_rules), hide_suggestions=hide_suggestions)

    return Validator(over_limits, invalid)


class QueryLimits(SchemaExtension):
    """The token limit for the parser; the limit rules first, then the operation's
    cost (with this request's variables), then (cached) validation."""

    def __init__(self, limits: Limits, validator: Validator) -> None:
        self.limits = limits
        self.validator = validator

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = self.limits.max_tokens
        yield
        if not self.limits.show_suggestions:
            result = self.execution_context.result
            for error in getattr(result, "errors", None) or ():
                error.message = SUGGESTION.sub("", error.message)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        assert document is not None
        schema = context.schema._schema
        errors = self.validator.limits(schema, document)
        if not errors:
            anonymous = isinstance(getattr(context.context, "principal", None), Anonymous)
            limit = self.limits.max_anonymous_cost if anonymous else self.limits.max_cost
            cost = operation_cost(
                schema,
                document,
                context.operation_name,
                context.variables,
                limit=limit,
                page_size=self.limits.page_size,
                max_page_size=self.limits.max_page_size,
            )
            context.extensions_results[EXTENSIONS_KEY] = cost_report(cost, limit)
            if cost.over_limit:
                errors = [too_costly(cost, limit)]
            else:
                errors = self.validator.rest(schema, document, context.validation_rules)
        context.pre_execution_errors = errors
        yield


def limit_extensions(limits: Limits) -> list[Callable[[], SchemaExtension]]:
    """The schema extensions enforcing ``limits`` (they replace ValidationCache), and
    the budget gate; list them after AuthenticationGate, before CompiledExecution."""
    validator = _validator(limits)
    return [lambda: QueryLimits(limits, validator), CostBudgetGate]

"""The limit rules: depth, aliases and directives of one document.

They run first and alone (gql/limits/extensions.py): a document over a limit is
refused with one clear error (``extensions.code`` ``QUERY_TOO_DEEP``,
``TOO_MANY_ALIASES`` or ``TOO_MANY_DIRECTIVES``, and ``limit``).

Strawberry's ``QueryDepthLimiter`` and ``MaxAliasesLimiter`` do not replace
them (strawberry-graphql 0.341): the depth limiter skips every introspection
field, so graphql-cop's circular introspection query passes it; it recurses
without memory, so a chain of 2,000 fragments raises RecursionError and a
document of 15 fragments that each spread the next three times takes a minute;
it counts selection sets, not fields (one level fewer). The alias limiter
counts aliases as expanded through fragments, so a fragment bomb is refused as
TOO_MANY_ALIASES (after expanding it) instead of by its cost. Neither gives an
``extensions.code``.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, ValidationRule
from graphql.language import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.validation.rules import ASTValidationRule

from domain.error_codes import ErrorCode

# Type references nest (`type { ofType { ofType … } } }`) without going deeper
# into the data; GraphiQL's own introspection query needs nine of them.
TYPE_WRAPPER_FIELD = "ofType"


def _refusal(message: str, code: ErrorCode, limit: int) -> GraphQLError:
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
                            ErrorCode.QUERY_TOO_DEEP,
                            max_depth,
                        )
                    )

    return MaxDepthRule


# --- aliases and directives ----------------------------------------------------------


def max_aliases_and_directives_rule(
    max_aliases: int, max_directives: int
) -> type[ASTValidationRule]:
    """Aliases and directives counted over the whole document (fragments as written,
    not as spread); each over its limit refused once."""

    class CountingRule(ValidationRule):
        aliases = 0
        directives = 0

        def enter_field(self, node: FieldNode, *_: Any) -> None:
            if node.alias is not None:
                self.aliases += 1

        def enter_directive(self, *_: Any) -> None:
            self.directives += 1

        def leave_document(self, *_: Any) -> None:
            for count, most, counted, code in (
                (self.aliases, max_aliases, "has {} aliases", ErrorCode.TOO_MANY_ALIASES),
                (
                    self.directives,
                    max_directives,
                    "uses {} directives",
                    ErrorCode.TOO_MANY_DIRECTIVES,
                ),
            ):
                if count > most:
                    message = f"The document {counted.format(count)}; at most {most} are allowed."
                    self.report_error(_refusal(message, code, most))

    return CountingRule

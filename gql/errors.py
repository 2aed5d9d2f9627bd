"""Errors on the wire.

Expected failures of mutations are data: ``errors: [UserError!]!`` in the
payload. Everything else becomes a GraphQL error with ``extensions.code``:
GRAPHQL_PARSE_FAILED (the document does not parse), GRAPHQL_VALIDATION_FAILED (it
does not fit the schema), UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT (a query's
invalid argument, or a variable's value that does not fit its type),
SERVICE_UNAVAILABLE (the database was too busy; ``extensions.retryAfter``) or,
for anything unexpected, INTERNAL_SERVER_ERROR with the message masked and
the exception logged under the request id.

The errors come in document order of their paths, the same on every run
(gql/execution.py makes the set of errors itself the same on every run):
errors without a path (the request's own: parse, validation, variables)
first, in the order found; then by path, comparing paths step by step: a
field before the fields below it, fields in the order they first appear in
the operation (a fragment's fields where it is spread), list items by index;
equal paths by message.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSyntaxError,
    InlineFragmentNode,
    SelectionSetNode,
    get_operation_ast,
)
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from domain.error_codes import ErrorCode
from domain.errors import (
    DomainError,
    Forbidden,
    NotAuthenticated,
    Problem,
    ServiceUnavailable,
)

logger = logging.getLogger("connect_admin.gql")

# The request could not be served now; HTTP 503 with Retry-After (server/http/graphql_view.py).
SERVICE_UNAVAILABLE = ErrorCode.SERVICE_UNAVAILABLE
# A query ran past the server's execution deadline; HTTP 503 with Retry-After.
DEADLINE_EXCEEDED = ErrorCode.DEADLINE_EXCEEDED
# graphql-core's message when its parser stops at the token limit (a syntax error).
TOKEN_LIMIT = re.compile(r"Document contains more than (\d+) tokens")


@strawberry.type(
    description="An expected failure: why a mutation, or one action or user of a reset, "
    "was refused, or a warning about what a reset removes."
)
class UserError:
    code: str = strawberry.field(
        description=(
            "Stable, machine-readable code, e.g. USER_NOT_FOUND, EMAIL_MISSING, "
            "PASSWORD_POLICY. docs/errors.md lists every code, what it means and "
            "the fields that return it."
        )
    )
    message: str = strawberry.field(
        description="What went wrong, in English, for people; may change between releases."
    )
    field: list[str] | None = strawberry.field(
        default=None, description="Path to the input field at fault, if any."
    )


def user_errors(error: DomainError, *prefix: str) -> list[UserError]:
    """The problems of a DomainError; ``prefix`` puts the fields under an input argument."""
    return problem_errors(error.problems, *prefix)


def problem_errors(problems: Iterable[Problem], *prefix: str) -> list[UserError]:
    return [
        UserError(
            code=p.code,
            message=p.message,
            field=[*prefix, *p.field] if p.field else None,
        )
        for p in problems
    ]


class ErrorTranslation(SchemaExtension):
    """Gives every GraphQL error a code and hides what the client must not see."""

    def __init__(self) -> None:
        super().__init__()
        # The errors validation found (ids): those that are not a limit's.
        self._invalid: set[int] = set()

    def on_validate(self) -> Iterator[None]:
        yield
        self._invalid = {id(e) for e in self.execution_context.pre_execution_errors or ()}

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if isinstance(result, ExecutionResult) or hasattr(result, "errors"):
            errors = getattr(result, "errors", None)
            if errors:
                translated = [self._translate(e) for e in errors]
                if len(translated) > 1:
                    execution = self.execution_context
                    translated = in_document_order(
                        translated, execution.graphql_document, execution.operation_name
                    )
                result.errors = translated  # type: ignore[union-attr]

    def _translate(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):
            return self._request_error(error)
        if isinstance(original, NotAuthenticated):
            return _with_code(
                error, "Sign in first: no valid bearer token.", ErrorCode.UNAUTHENTICATED
            )
        if isinstance(original, Forbidden):
            return _with_code(error, f"Not allowed: {original}.", ErrorCode.FORBIDDEN)
        if isinstance(original, ServiceUnavailable):
            where = ".".join(str(p) for p in error.path or []) or "the operation"
            log_unavailable(original, where, self.execution_context.context.request_id)
            return _with_code(
                error,
                f"{original} Try again in {original.retry_after} s.",
                SERVICE_UNAVAILABLE,
                retryAfter=original.retry_after,
            )
        if isinstance(original, DomainError):
            problems = [
                {"code": p.code, "message": p.message, "field": list(p.field or [])}
                for p in original.problems
            ]
            return _with_code(
                error, original.problems[0].message, ErrorCode.BAD_USER_INPUT, problems=problems
            )
        masked_error = masked(
            original,
            ".".join(str(p) for p in error.path or []),
            self.execution_context.context.request_id,
        )
        return _with_code(error, masked_error.message, ErrorCode.INTERNAL_SERVER_ERROR)

    def _request_error(self, error: GraphQLError) -> GraphQLError:
        """graphql-core's own errors get the code of their phase: a syntax error, one
        that validation found, or one without a path (the variables' values: the
        operation did not start); a field's error keeps what it has."""
        if (error.extensions or {}).get("code") is not None:
            return error
        if isinstance(error, GraphQLSyntaxError) and (limit := TOKEN_LIMIT.search(error.message)):
            tokens = int(limit.group(1))
            return _with_code(
                error,
                f"The document has more than {tokens} tokens; at most {tokens} are allowed.",
                ErrorCode.TOO_MANY_TOKENS,
                limit=tokens,
            )
        if isinstance(error, GraphQLSyntaxError):
            code = ErrorCode.GRAPHQL_PARSE_FAILED
        elif id(error) in self._invalid:
            code = ErrorCode.GRAPHQL_VALIDATION_FAILED
        elif error.path is None:
            code = ErrorCode.BAD_USER_INPUT
        else:
            return error
        error.extensions = {**(error.extensions or {}), "code": code}
        return error


def log_unavailable(error: ServiceUnavailable, where: str, request_id: str | None) -> None:
    """The ERROR line of a request the database could not serve, with its cause."""
    logger.error(
        "the database could not serve %s (request %s)",
        where,
        request_id,
        exc_info=error,
        extra={"request_id": request_id},
    )


def unavailable(error: ServiceUnavailable, where: str, request_id: str | None) -> GraphQLError:
    """SERVICE_UNAVAILABLE for what failed outside a resolver (the budget), logged."""
    log_unavailable(error, where, request_id)
    return GraphQLError(
        f"{error} Try again in {error.retry_after} s.",
        extensions={"code": SERVICE_UNAVAILABLE, "retryAfter": error.retry_after},
    )


def masked(error: Exception, where: str, request_id: str | None) -> GraphQLError:
    """INTERNAL_SERVER_ERROR with nothing of the exception's text, which goes to the log."""
    logger.error(
        "unexpected error in %s (request %s)",
        where,
        request_id,
        exc_info=error,
        # A field of its own in the JSON log line (server/http/logs.py).
        extra={"request_id": request_id},
    )
    return GraphQLError(
        f"Unexpected error (request {request_id}).",
        extensions={"code": ErrorCode.INTERNAL_SERVER_ERROR},
    )


def _with_code(error: GraphQLError, message: str, code: ErrorCode, **extra: object) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": code, **extra},
    )


def in_document_order(
    errors: Sequence[GraphQLError], document: DocumentNode | None, operation_name: str | None
) -> list[GraphQLError]:
    """The errors in the order the module's doc describes."""
    order = _DocumentOrder(document, operation_name)

    def key(error: GraphQLError) -> tuple[bool, tuple[int, ...], str, str]:
        path = error.path
        if path is None:
            return (False, (), "", "")
        return (True, order.rank(path), repr(path), error.message)

    # Stable: the errors without a path keep the order they were found in.
    return sorted(errors, key=key)


class _DocumentOrder:
    """Ranks response paths in the order their fields appear in the operation."""

    def __init__(self, document: DocumentNode | None, operation_name: str | None) -> None:
        operation = None if document is None else get_operation_ast(document, operation_name)
        self._root = [operation.selection_set] if operation is not None else []
        self._fragments = {
            d.name.value: d
            for d in (document.definitions if document is not None else ())
            if isinstance(d, FragmentDefinitionNode)
        }

    def rank(self, path: Sequence[str | int]) -> tuple[int, ...]:
        selection_sets = self._root
        ranks: list[int] = []
        for step in path:
            if isinstance(step, int):
                ranks.append(step)
                continue
            keys, below = self._fields(selection_sets)
            # A key not in the document (cannot happen for a valid one) goes last.
            ranks.append(keys.get(step, len(keys)))
            selection_sets = below.get(step, [])
        return tuple(ranks)

    def _fields(
        self, selection_sets: list[SelectionSetNode]
    ) -> tuple[dict[str, int], dict[str, list[SelectionSetNode]]]:
        """Response keys by first appearance, and the selection sets below each key."""
        keys: dict[str, int] = {}
        below: dict[str, list[SelectionSetNode]] = {}
        spread: set[str] = set()

        def visit(selection_set: SelectionSetNode) -> None:
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    keys.setdefault(key, len(keys))
                    if selection.selection_set is not None:
                        below.setdefault(key, []).append(selection.selection_set)
                elif isinstance(selection, InlineFragmentNode):
                    visit(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self._fragments.get(name)
                    if fragment is not None and name not in spread:
                        spread.add(name)
                        visit(fragment.selection_set)

        for selection_set in selection_sets:
            visit(selection_set)
        return keys, below

"""Errors on the wire.

Expected failures of mutations are data: ``errors: [UserError!]!`` in the
payload. Everything else becomes a GraphQL error with ``extensions.code``:
UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT (a query's invalid argument),
SERVICE_UNAVAILABLE (the database was too busy; ``extensions.retryAfter``) or,
for anything unexpected, INTERNAL_SERVER_ERROR with the message masked and
the exception logged under the request id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from connect_admin.domain.errors import (
    DomainError,
    Forbidden,
    NotAuthenticated,
    Problem,
    ServiceUnavailable,
)

logger = logging.getLogger("connect_admin.gql")

# The request could not be served now; HTTP 503 with Retry-After (server/graphql_view.py).
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
# A query ran past the server's execution deadline; HTTP 503 with Retry-After.
DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED"


@strawberry.type
class UserError:
    code: str = strawberry.field(
        description=(
            "Stable, machine-readable code, e.g. USER_NOT_FOUND, EMAIL_MISSING, "
            "MAIL_GATEWAY_NOT_CONFIGURED, PASSWORD_POLICY, INVALID_CREDENTIALS."
        )
    )
    message: str
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

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if isinstance(result, ExecutionResult) or hasattr(result, "errors"):
            errors = getattr(result, "errors", None)
            if errors:
                result.errors = [self._translate(e) for e in errors]  # type: ignore[union-attr]

    def _translate(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):
            return error
        if isinstance(original, NotAuthenticated):
            return _with_code(error, "Sign in first: no valid bearer token.", "UNAUTHENTICATED")
        if isinstance(original, Forbidden):
            return _with_code(error, f"Not allowed: {original}.", "FORBIDDEN")
        if isinstance(original, ServiceUnavailable):
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
                error, original.problems[0].message, "BAD_USER_INPUT", problems=problems
            )
        request_id = self.execution_context.context.request_id
        logger.error(
            "unexpected error in %s (request %s)",
            ".".join(str(p) for p in error.path or []),
            request_id,
            exc_info=original,
            # A field of its own in the JSON log line (server/logs.py).
            extra={"request_id": request_id},
        )
        return _with_code(
            error, f"Unexpected error (request {request_id}).", "INTERNAL_SERVER_ERROR"
        )


def _with_code(error: GraphQLError, message: str, code: str, **extra: object) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": code, **extra},
    )

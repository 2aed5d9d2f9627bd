"""GraphQL over HTTP, apart from the view: media types, refusals, and the status of a result.

Checked by graphql-http's audit (tests/http): a client that accepts
``application/graphql-response+json`` gets that media type, and a request that
fails before execution (parse, validation, limits, variables) answers 400
without ``data``; ``application/json`` clients get 200 with the errors, as
always. Refusals have a GraphQL error body with ``extensions.code``.

A result that says "not now" answers with a status and ``Retry-After``, whatever
the media type: 503 when the database was too busy or the query ran past the
deadline, 429 when the operation was over the caller's cost budget (gql/limits/budget.py).
The cost headers repeat ``extensions.cost``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import datetime

from graphql import GraphQLError, get_operation_ast, parse
from graphql import OperationType as AstOperationType
from starlette.responses import Response
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from domain.error_codes import ErrorCode
from gql.errors import DEADLINE_EXCEEDED, SERVICE_UNAVAILABLE
from gql.limits import EXTENSIONS_KEY, RATE_LIMITED
from server.http.limits import error_body

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
GRAPHQL_QUERY = "application/graphql"
REQUEST_MEDIA_TYPES = (JSON, GRAPHQL_QUERY)
REFUSAL_CODES = {
    400: ErrorCode.BAD_REQUEST,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
}
# The codes of the errors graphql-core reports before execution (gql/errors.py).
REQUEST_ERROR_CODES = frozenset(
    {
        None,
        ErrorCode.GRAPHQL_PARSE_FAILED,
        ErrorCode.GRAPHQL_VALIDATION_FAILED,
        ErrorCode.BAD_USER_INPUT,
    }
)
# Errors that mean "not now", and the status that says so.
NOT_NOW_STATUSES = {SERVICE_UNAVAILABLE: 503, DEADLINE_EXCEEDED: 503, RATE_LIMITED: 429}
# How long a client should wait after a query ran past the deadline.
DEADLINE_RETRY_AFTER_SECONDS = 5


def response_media_type(accept: str) -> str:
    """``application/graphql-response+json`` when the client prefers it (or likes it
    as well as ``application/json``); otherwise, also without Accept, ``application/json``."""
    quality: dict[str, float] = {}
    for item in accept.split(","):
        media_type, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        media_type = media_type.lower()
        quality[media_type] = max(quality.get(media_type, 0.0), q)
    preferred = quality.get(GRAPHQL_RESPONSE, 0.0)
    return GRAPHQL_RESPONSE if preferred > 0 and preferred >= quality.get(JSON, 0.0) else JSON


def is_request_error(result: ExecutionResult) -> bool:
    """Nothing was executed: the document did not parse or validate, a limit refused
    it, or the variables did not fit (graphql-core reports those without a path)."""
    if isinstance(result, PreExecutionError):
        return True
    errors = result.errors or []
    return (
        result.data is None
        and bool(errors)
        and all(
            error.path is None and (error.extensions or {}).get("code") in REQUEST_ERROR_CODES
            for error in errors
        )
    )


def refusal_response(status: int, message: str, media_type: str = JSON) -> Response:
    headers = {"allow": "POST"} if status == 405 else {}
    code = REFUSAL_CODES.get(status, ErrorCode.BAD_REQUEST)
    return Response(error_body(message, code), status, headers=headers, media_type=media_type)


@dataclass(frozen=True)
class NotNow:
    """The answer to a result that says: try again later."""

    status: int
    retry_after: int


def not_now(result: ExecutionResult) -> NotNow | None:
    """What the result's "not now" errors call for (503 before 429, the longest wait),
    or None when it has none."""
    found = [
        NotNow(NOT_NOW_STATUSES[code], int(extensions.get("retryAfter", 1)))
        for error in result.errors or ()
        if (code := (extensions := error.extensions or {}).get("code")) in NOT_NOW_STATUSES
    ]
    return max(found, key=lambda answer: (answer.status, answer.retry_after), default=None)


# Documents up to this long are remembered; longer ones (rare, and the memory an
# attacker could fill the cache with) are parsed again each time.
CACHED_QUERY_LENGTH = 20_000
# Parsing stops after this many tokens: the limits refuse such a document anyway, and
# this check runs before them.
MUTATION_CHECK_TOKENS = 10_000


def is_mutation(query: object, operation_name: object) -> bool:
    """Whether the document's chosen operation is a mutation (False when it does not parse,
    or the query or operation name is no string: execution then reports that)."""
    if not isinstance(query, str) or not isinstance(operation_name, str | None):
        return False
    if len(query) > CACHED_QUERY_LENGTH:
        return _operation_is_mutation(query, operation_name)
    return _cached_is_mutation(query, operation_name)


@functools.lru_cache(maxsize=512)
def _cached_is_mutation(query: str, operation_name: str | None) -> bool:
    return _operation_is_mutation(query, operation_name)


def _operation_is_mutation(query: str, operation_name: str | None) -> bool:
    try:
        document = parse(query, max_tokens=MUTATION_CHECK_TOKENS)
        operation = get_operation_ast(document, operation_name)
    except GraphQLError:
        return False
    return operation is not None and operation.operation is AstOperationType.MUTATION


def report_cost(result: ExecutionResult, sub_response: Response) -> None:
    """The cost headers: what the operation cost and, for a caller with a budget, what is left."""
    report = (result.extensions or {}).get(EXTENSIONS_KEY)
    if not isinstance(report, dict):
        return
    sub_response.headers["x-cost-requested"] = str(report["requested"])
    budget = report.get("budget")
    if isinstance(budget, dict):
        sub_response.headers["x-cost-remaining"] = str(budget["remaining"])
        sub_response.headers["x-cost-capacity"] = str(budget["capacity"])
        reset = datetime.fromisoformat(budget["resetAt"])
        sub_response.headers["x-cost-reset"] = str(math.ceil(reset.timestamp()))


def past_deadline(deadline: float) -> ExecutionResult:
    """The result of a query stopped at the deadline: 503, to be tried again later."""
    return ExecutionResult(
        data=None,
        errors=[
            GraphQLError(
                f"The query ran longer than the server's deadline of {deadline:g} s "
                "and was stopped; ask for less (smaller pages, fewer fields) or try "
                "again later.",
                extensions={"code": DEADLINE_EXCEEDED, "retryAfter": DEADLINE_RETRY_AFTER_SECONDS},
            )
        ],
    )

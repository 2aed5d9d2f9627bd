"""The GraphQL endpoint: Strawberry's ASGI view with our context.

It authenticates the bearer token, gives each request an id, and builds the
per-request context (principal, services, DataLoaders).

GraphQL over HTTP (checked by graphql-http's audit, tests/http): a client that
accepts ``application/graphql-response+json`` gets that media type, and a
request that fails before execution (parse, validation, limits, variables)
answers 400 without ``data``; ``application/json`` clients get 200 with the
errors, as always. Mutations run only over POST (405 over GET). A POST must be
``application/json`` or ``application/graphql`` (the bare query): form posts
and ``text/plain``, which a foreign page could send without a CORS preflight,
are refused with 415. A JSON array (a batch) is refused with 400. Refusals
have a GraphQL error body with ``extensions.code``.

Query cost (gql/cost.py): the headers ``X-Cost-Requested`` and, for a caller
with a budget, ``X-Cost-Remaining``, ``X-Cost-Capacity`` and ``X-Cost-Reset``
repeat ``extensions.cost``; an operation over the caller's budget answers 429
with ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError, get_operation_ast, parse
from graphql import OperationType as AstOperationType
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from domain.errors import NotAuthenticated
from domain.principals import Anonymous, Principal
from domain.services import auth
from domain.services.deps import Deps
from gql.context import Context
from gql.cost import EXTENSIONS_KEY, RATE_LIMITED, CostBudget
from gql.errors import DEADLINE_EXCEEDED, SERVICE_UNAVAILABLE
from gql.limits import Limits
from gql.observability import RequestRecord
from gql.progress_broker import ProgressBroker
from gql.schema import build_schema
from server.graphiql import GraphiQLAssets
from server.limits import error_body
from server.logs import RECORD_SCOPE_KEY

logger = logging.getLogger("connect_admin.server.graphql_view")

REQUEST_ID_HEADER = "x-request-id"
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")
# What a browser page may read of a response (CORS): the cost headers and Retry-After.
COST_HEADERS = (
    "x-cost-requested",
    "x-cost-remaining",
    "x-cost-capacity",
    "x-cost-reset",
    "retry-after",
)

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
GRAPHQL_QUERY = "application/graphql"
REQUEST_MEDIA_TYPES = (JSON, GRAPHQL_QUERY)
REFUSAL_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    415: "UNSUPPORTED_MEDIA_TYPE",
}
# Errors that mean "not now": the answer is 503 with Retry-After, whatever the media type.
UNAVAILABLE_CODES = frozenset({SERVICE_UNAVAILABLE, DEADLINE_EXCEEDED})
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
        and all(error.path is None and not (error.extensions or {}).get("code") for error in errors)
    )


def refusal_response(status: int, message: str, media_type: str = JSON) -> Response:
    headers = {"allow": "POST"} if status == 405 else {}
    code = REFUSAL_CODES.get(status, "BAD_REQUEST")
    return Response(error_body(message, code), status, headers=headers, media_type=media_type)


def retry_after(result: ExecutionResult) -> int | None:
    """Seconds to wait when the result says the service could not answer now, else None."""
    waits = [
        int(extensions.get("retryAfter", 1))
        for error in result.errors or []
        if (extensions := error.extensions or {}).get("code") in UNAVAILABLE_CODES
    ]
    return max(waits) if waits else None


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


def bearer_token(headers: Any) -> str | None:
    value: str = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def report_cost(
    result: ExecutionResult, response_data: GraphQLHTTPResponse, sub_response: Response
) -> None:
    """The cost headers; HTTP 429 with Retry-After for an operation over budget."""
    for error in result.errors or ():
        extensions = error.extensions or {}
        if extensions.get("code") == RATE_LIMITED:
            sub_response.status_code = 429
            sub_response.headers["retry-after"] = str(extensions.get("retryAfter", 1))
            response_data.pop("data", None)
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


class TextFrameWebSocketAdapter(ASGIWebSocketAdapter):
    """graphql-transport-ws carries JSON in text frames. Strawberry sends a binary
    frame when ``encode_json`` returns bytes (ours does, for HTTP), and GraphiQL's
    client cannot parse one."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view, with our context: principal, services, loaders."""

    websocket_adapter_class = TextFrameWebSocketAdapter

    def decode_json(self, data: str | bytes) -> object:
        # orjson: several times faster than json, on every request and response.
        return orjson.loads(data)

    def encode_json(self, data: object) -> bytes:
        try:
            return orjson.dumps(data)
        except orjson.JSONEncodeError:
            # No stored value should get here (persistence/json_columns.py); should one
            # still, the client gets a GraphQL answer rather than a dropped connection.
            logger.exception("a response could not be encoded as JSON")
            return error_body("The answer could not be encoded.", "INTERNAL_SERVER_ERROR")

    async def render_graphql_ide(self, request: Request) -> Response:
        # The IDE page, with its files from this server, never a CDN (server/graphiql.py).
        return await self._graphiql.page(request)

    def __init__(
        self,
        make_deps: Callable[[], Deps],
        *,
        graphiql: GraphiQLAssets | None = None,
        schema: BaseSchema | None = None,
        progress: ProgressBroker | None = None,
        allowed_origins: Sequence[str] = (),
        query_deadline_seconds: float | None = None,
        cost_budget: CostBudget | None = None,
    ) -> None:
        super().__init__(
            schema if schema is not None else build_schema(Limits()),
            graphql_ide="graphiql",
            allow_queries_via_get=True,
            # GraphiQL's protocol, for subscriptions; the legacy graphql-ws is not offered.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            # Websockets from other origins than the page's own (the CORS origins).
            allowed_origins=allowed_origins,
        )
        self._make_deps = make_deps
        self._graphiql = graphiql if graphiql is not None else GraphiQLAssets()
        # Shared by all requests and websockets of this process (gql/progress_broker.py).
        self.progress = progress if progress is not None else ProgressBroker()
        # Queries (not mutations: a reset stopped halfway would lose its answer) are
        # cancelled past this many seconds; None: no deadline.
        self._query_deadline = query_deadline_seconds
        self.cost_budget = cost_budget

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        # A client's id is kept only when it is harmless in logs and headers.
        request_id = given if REQUEST_ID_PATTERN.fullmatch(given) else uuid.uuid4().hex
        if isinstance(response, Response):
            response.headers[REQUEST_ID_HEADER] = request_id
        token = bearer_token(request.headers)
        principal = await self.authenticate(token)
        # The access log's record of this request (server/logs.py), when it keeps one.
        record = request.scope.get(RECORD_SCOPE_KEY)
        if not isinstance(record, RequestRecord):
            record = RequestRecord()
        record.request_id = request_id
        record.record_principal(principal)
        return Context(
            principal=principal,
            deps_factory=self._make_deps,
            request_id=request_id,
            record=record,
            progress=self.progress,
            over_websocket=isinstance(request, WebSocket),
            bearer_token=token,
            cost_budget=self.cost_budget,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """graphql-transport-ws ``connection_init``: its payload may carry the token.

        ``{"Authorization": "Bearer …"}`` in the payload (what GraphiQL sends from
        its Headers tab) replaces the principal of the upgrade request's own
        Authorization header; as over HTTP, a bad token counts as none. Each
        subscription checks the token again when it starts (gql/reset/progress.py), so
        a revoked token or ended session does not live on in an open socket.
        """
        params = {
            key.lower(): value
            for key, value in (context.connection_params or {}).items()
            if isinstance(value, str)
        }
        if "authorization" in params:
            context.bearer_token = bearer_token(params)
            context.principal = await self.authenticate(context.bearer_token)
            context.record.record_principal(context.principal)
        unset: UnsetType = UNSET
        return unset

    async def authenticate(self, token: str | None) -> Principal:
        # A bad or expired token is treated as none: public operations still work,
        # everything else answers UNAUTHENTICATED.
        try:
            return await auth.authenticate(self._make_deps(), token)
        except NotAuthenticated:
            return Anonymous()

    # --- GraphQL over HTTP ------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        media_type = response_media_type(request.headers.get("accept", ""))
        try:
            self._check_request_media_type(request)
            response = await self.run(request)
        except HTTPException as error:
            response = refusal_response(error.status_code, error.reason, media_type)
        await response(scope, receive, send)

    def _check_request_media_type(self, request: Request) -> None:
        # Before anything else runs: a form or text/plain POST is what a foreign
        # page can send without a CORS preflight.
        if request.method != "POST":
            return
        content_type, _ = parse_content_type(request.headers.get("content-type", ""))
        if content_type not in REQUEST_MEDIA_TYPES:
            raise HTTPException(
                415,
                "Send the request as application/json (or the bare query as "
                f"application/graphql), not as {content_type or 'no content type'}.",
            )

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        if request.method != "POST":
            return await super().parse_http_body(request)
        content_type, _ = parse_content_type(request.content_type or "")
        body = await request.get_body()
        if content_type == GRAPHQL_QUERY:
            try:
                query = body.decode() if isinstance(body, bytes) else body
            except UnicodeDecodeError:
                raise HTTPException(400, "The query is not UTF-8 text.") from None
            operation_name = request.query_params.get("operationName")
            return GraphQLRequestData(
                query=query,
                variables=None,
                operation_name=operation_name if isinstance(operation_name, str) else None,
                extensions=None,
            )
        try:
            data = self.decode_json(body)
        except (ValueError, RecursionError):
            raise HTTPException(400, "The request body is not valid JSON.") from None
        if isinstance(data, list):
            raise HTTPException(
                400,
                "Batched requests (a JSON array of operations) are not supported; "
                "send one operation per request.",
            )
        if not isinstance(data, dict):
            raise HTTPException(400, "The request body must be a JSON object with a query.")
        return await super().parse_http_body(request)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        deadline = self._query_deadline
        if deadline is not None and is_mutation(
            request_data.query or "", request_data.operation_name
        ):
            deadline = None
        try:
            async with asyncio.timeout(deadline) as scope:
                return await super().execute_single(
                    request, request_adapter, sub_response, context, root_value, request_data
                )
        except TimeoutError:
            if not scope.expired():
                raise
            return ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        f"The query ran longer than the server's deadline of {deadline:g} s "
                        "and was stopped; ask for less (smaller pages, fewer fields) or try "
                        "again later.",
                        extensions={
                            "code": DEADLINE_EXCEEDED,
                            "retryAfter": DEADLINE_RETRY_AFTER_SECONDS,
                        },
                    )
                ],
            )
        except HTTPException as error:
            cause = error.__cause__
            if (
                request_adapter.method == "GET"
                and isinstance(cause, InvalidOperationTypeError)
                and cause.operation_type == OperationType.MUTATION
            ):
                raise HTTPException(405, "Mutations are only accepted over POST.") from cause
            raise

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = response_media_type(request.headers.get("accept", ""))
        request.state.graphql_sub_response = sub_response
        return sub_response

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response_data = await super().process_result(request, result)
        sub_response = getattr(request.state, "graphql_sub_response", None)
        wait = retry_after(result)
        if wait is not None and isinstance(sub_response, Response):
            sub_response.status_code = 503
            sub_response.headers["retry-after"] = str(wait)
            return response_data
        if (
            isinstance(sub_response, Response)
            and sub_response.media_type == GRAPHQL_RESPONSE
            and is_request_error(result)
        ):
            response_data.pop("data", None)
            codes = {(error.extensions or {}).get("code") for error in result.errors or []}
            sub_response.status_code = 500 if "INTERNAL_SERVER_ERROR" in codes else 400
        if isinstance(sub_response, Response):
            report_cost(result, response_data, sub_response)
        return response_data

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        if sub_response.media_type is not None:
            response.headers["content-type"] = f"{sub_response.media_type}; charset=utf-8"
        return response

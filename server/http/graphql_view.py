"""The GraphQL endpoint: Strawberry's ASGI view with our context.

It authenticates the bearer token, gives each request an id, and builds the
per-request context (principal, services, DataLoaders).

Over HTTP (the rules in server/http/graphql_http.py) mutations run only over POST
(405 over GET). A POST must be ``application/json`` or ``application/graphql``
(the bare query): form posts and ``text/plain``, which a foreign page could send
without a CORS preflight, are refused with 415. A JSON array (a batch) is
refused with 400. Queries past the deadline are stopped (503 with Retry-After).

Query cost (gql/limits/cost.py): the headers ``X-Cost-Requested`` and, for a caller
with a budget, ``X-Cost-Remaining``, ``X-Cost-Capacity`` and ``X-Cost-Reset``
repeat ``extensions.cost``; an operation over the caller's budget answers 429
with ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from domain.error_codes import ErrorCode
from domain.errors import NotAuthenticated, ServiceUnavailable
from domain.principals import Anonymous, Principal
from domain.services.progress import ProgressBroker
from domain.services.registry import Services
from gql.context import Context
from gql.limits import CostBudget, Limits
from gql.observability import RequestRecord
from gql.schema import build_schema
from server.http.graphql_http import (
    GRAPHQL_QUERY,
    GRAPHQL_RESPONSE,
    REQUEST_MEDIA_TYPES,
    is_mutation,
    is_request_error,
    not_now,
    past_deadline,
    refusal_response,
    report_cost,
    response_media_type,
)
from server.http.limits import error_body
from server.http.logs import RECORD_SCOPE_KEY, request_id_of
from server.http.sockets import BoundedTextWebSocketAdapter, CredentialBoundHandler, SocketWatch
from server.tracing import REQUEST_ID
from server.ui.graphiql import GraphiQLAssets

logger = logging.getLogger("connect_admin.server.graphql_view")

REQUEST_ID_HEADER = "x-request-id"
# Websocket close codes (RFC 6455, IANA): the server could not serve the socket now / at all.
WS_TRY_AGAIN_LATER = 1013
WS_INTERNAL_ERROR = 1011
# What a browser page may read of a response (CORS): the cost headers and Retry-After.
COST_HEADERS = (
    "x-cost-requested",
    "x-cost-remaining",
    "x-cost-capacity",
    "x-cost-reset",
    "retry-after",
)


def bearer_token(headers: Any) -> str | None:
    value: str = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view, with our context: principal, services, loaders."""

    websocket_adapter_class = BoundedTextWebSocketAdapter
    graphql_transport_ws_handler_class = CredentialBoundHandler

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
            return error_body("The answer could not be encoded.", ErrorCode.INTERNAL_SERVER_ERROR)

    async def render_graphql_ide(self, request: Request) -> Response:
        # The IDE page, with its files from this server, never a CDN (server/ui/graphiql.py).
        return await self._graphiql.page(request)

    def __init__(
        self,
        make_services: Callable[[], Services],
        *,
        graphiql: GraphiQLAssets | None = None,
        schema: BaseSchema | None = None,
        progress: ProgressBroker,
        allowed_origins: Sequence[str] = (),
        query_deadline_seconds: float | None = None,
        cost_budget: CostBudget | None = None,
        websocket_init_seconds: float = 5.0,
        websocket_recheck_seconds: float = 5.0,
        max_message_bytes: int = 1_000_000,
        observe_websocket_operation: Callable[[RequestRecord], None] | None = None,
    ) -> None:
        super().__init__(
            schema if schema is not None else build_schema(Limits()),
            graphql_ide="graphiql",
            allow_queries_via_get=True,
            # GraphiQL's protocol, for subscriptions; the legacy graphql-ws is not offered.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            # Websockets from other origins than the page's own (the CORS origins).
            allowed_origins=allowed_origins,
            # A socket that never sends connection_init is closed (4408) after this.
            connection_init_wait_timeout=timedelta(seconds=websocket_init_seconds),
        )
        # The open websockets, ended with their credential (server/http/sockets.py).
        self.sockets = SocketWatch(
            self.authenticate,
            recheck_seconds=websocket_recheck_seconds,
            max_message_bytes=max_message_bytes,
        )
        self._make_services = make_services
        self._graphiql = graphiql if graphiql is not None else GraphiQLAssets()
        # Shared by all requests and websockets of this process (domain/services/progress.py).
        self.progress = progress
        # Queries (not mutations: a reset stopped halfway would lose its answer) are
        # cancelled past this many seconds; None: no deadline.
        self._query_deadline = query_deadline_seconds
        self.cost_budget = cost_budget
        # Told of each operation over a websocket when it ends (HTTP's: server/http/logs.py).
        self._observe_websocket_operation = observe_websocket_operation

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        # The access log's record of this request (server/http/logs.py), when it keeps one.
        record = request.scope.get(RECORD_SCOPE_KEY)
        if not isinstance(record, RequestRecord):
            record = request.scope[RECORD_SCOPE_KEY] = RequestRecord()
        # A client's id is kept only when it is harmless in logs and headers.
        request_id = request_id_of(request.scope)
        if isinstance(response, Response):
            response.headers[REQUEST_ID_HEADER] = request_id
        # On every span of this request from here on (server/tracing.py).
        REQUEST_ID.set(request_id)
        token = bearer_token(request.headers)
        principal = await self.authenticate(token)
        record.record_principal(principal)
        if isinstance(request, WebSocket):
            record.operation_done = self._observe_websocket_operation
        return Context(
            principal=principal,
            services_factory=self._make_services,
            request_id=request_id,
            record=record,
            progress=self.progress,
            over_websocket=isinstance(request, WebSocket),
            bearer_token=token,
            cost_budget=self.cost_budget,
            client=request.client.host if request.client is not None else "",
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """graphql-transport-ws ``connection_init``: its payload may carry the token.

        ``{"Authorization": "Bearer …"}`` in the payload (what GraphiQL sends from
        its Headers tab) replaces the principal of the upgrade request's own
        Authorization header; as over HTTP, a bad token counts as none. Each
        subscription checks the token again when it starts (gql/reset/progress.py),
        and the socket closes once it no longer signs in (server/http/sockets.py): a
        revoked token or ended session does not live on in an open socket.
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
            return await self._make_services().auth.authenticate(token)
        except NotAuthenticated:
            return Anonymous()

    # --- GraphQL over HTTP ------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
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

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A websocket whose token check (at the upgrade or ``connection_init``) the
        database could not serve is closed with 1013, Try Again Later; any other
        failure with 1011. Logged under the request id either way, never sent."""
        state = {"accepted": False, "closed": False}

        async def watching(message: Message) -> None:
            if message["type"] == "websocket.accept":
                state["accepted"] = True
            elif message["type"] == "websocket.close":
                state["closed"] = True
            await send(message)

        try:
            await super().__call__(scope, receive, watching)
        except Exception as error:
            if state["closed"]:
                raise
            request_id = request_id_of(scope)
            unavailable = isinstance(error, ServiceUnavailable)
            logger.error(
                "the database could not serve websocket %s"
                if unavailable
                else "unexpected error in websocket %s",
                request_id,
                exc_info=error,
                extra={"request_id": request_id},
            )
            code, reason = (
                (WS_TRY_AGAIN_LATER, str(ErrorCode.SERVICE_UNAVAILABLE))
                if unavailable
                else (WS_INTERNAL_ERROR, str(ErrorCode.INTERNAL_SERVER_ERROR))
            )
            with contextlib.suppress(Exception):
                await send({"type": "websocket.close", "code": code, "reason": reason})

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
        mutation = is_mutation(request_data.query or "", request_data.operation_name)
        if mutation:
            deadline = None
        try:
            async with asyncio.timeout(deadline) as scope:
                return await super().execute_single(
                    request, request_adapter, sub_response, context, root_value, request_data
                )
        except TimeoutError:
            if deadline is None or not scope.expired():
                raise
            return past_deadline(deadline)
        except HTTPException as error:
            cause = error.__cause__
            if (
                request_adapter.method == "GET"
                and isinstance(cause, InvalidOperationTypeError)
                and cause.operation_type == OperationType.MUTATION
            ):
                raise HTTPException(405, "Mutations are only accepted over POST.") from cause
            raise
        finally:
            if mutation:
                # It may have ended a credential (signOut, revokeApiToken, a block):
                # the open sockets check theirs at once.
                self.sockets.recheck_now()

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
        if not isinstance(sub_response, Response):
            return response_data
        refusal = not_now(result)
        if refusal is not None:
            sub_response.status_code = refusal.status
            sub_response.headers["retry-after"] = str(refusal.retry_after)
            if refusal.status == 503:
                # Stopped while it ran: what it answered stays, without cost headers.
                return response_data
            # Over budget: refused before it ran, there is no data.
            response_data.pop("data", None)
        elif sub_response.media_type == GRAPHQL_RESPONSE and is_request_error(result):
            response_data.pop("data", None)
            codes = {(error.extensions or {}).get("code") for error in result.errors or []}
            sub_response.status_code = 500 if ErrorCode.INTERNAL_SERVER_ERROR in codes else 400
        report_cost(result, sub_response)
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

"""A span per HTTP request while traces are on (server/tracing.py): the method, the
path (never the query string: a GET may carry variables), the status, and for GraphQL
the operation's name and type, its outcome and its error codes. The span's name is
the operation's once it is known: ``query UsersPage``. A request that carries a
``traceparent`` header continues that trace."""

from __future__ import annotations

from opentelemetry import propagate, trace
from opentelemetry.trace import Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gql.observability import RequestRecord
from server.http.graphql_view import REQUEST_ID_HEADER
from server.http.logs import RECORD_SCOPE_KEY, outcome
from server.tracing import REQUEST_ID_ATTRIBUTE, tracer


class RequestSpans:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method: str = scope.get("method", "")
        path: str = scope.get("path", "")
        status = 500
        request_id: str | None = None

        async def send_and_watch(message: Message) -> None:
            nonlocal status, request_id
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == REQUEST_ID_HEADER.encode():
                        request_id = value.decode("latin-1")
            await send(message)

        # A caller's trace (its traceparent header, W3C Trace Context) goes on here.
        carrier = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope.get("headers", [])
        }
        with tracer().start_as_current_span(
            f"{method} {path}",
            context=propagate.extract(carrier),
            kind=trace.SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": path},
        ) as span:
            try:
                await self.app(scope, receive, send_and_watch)
            finally:
                span.set_attribute("http.response.status_code", status)
                if request_id is not None:
                    span.set_attribute(REQUEST_ID_ATTRIBUTE, request_id)
                record = scope.get(RECORD_SCOPE_KEY)
                if isinstance(record, RequestRecord):
                    _describe(span, record, status)
                elif status >= 500:
                    span.set_status(Status(StatusCode.ERROR))


def _describe(span: trace.Span, record: RequestRecord, status: int) -> None:
    """The operation, as the access log knows it: names from the document, codes."""
    result = outcome(record, status)
    span.set_attribute("connect_admin.outcome", result)
    if record.operation_type is not None:
        span.set_attribute("graphql.operation.type", record.operation_type)
        name = record.operation_name or record.root_field or ""
        span.update_name(f"{record.operation_type} {name}".strip())
    if record.operation_name is not None:
        span.set_attribute("graphql.operation.name", record.operation_name)
    codes = [*record.error_codes, *record.payload_error_codes]
    if codes:
        span.set_attribute("connect_admin.error_codes", codes)
    if status >= 500 or record.error_codes:
        span.set_status(Status(StatusCode.ERROR, ",".join(record.error_codes) or None))

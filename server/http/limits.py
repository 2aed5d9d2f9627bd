"""Request limits at the HTTP level, and the query limits taken from the settings.

:class:`BodyLimit` refuses a request body over ``CONNECT_MAX_BODY_BYTES`` with
413 and a GraphQL error body, before the application reads any of it: at
once when ``Content-Length`` says so, otherwise as soon as the received
bytes pass the limit. A body that has not arrived completely within
``CONNECT_BODY_TIMEOUT_SECONDS`` is answered 408 and the connection closed:
a client trickling its body a byte at a time holds a connection for that
long at most.
"""

from __future__ import annotations

import asyncio
import json
import logging

from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.error_codes import ErrorCode
from domain.errors import ServiceUnavailable
from gql.limits import Limits
from gql.observability import RequestRecord
from server.container import service_config
from server.http.logs import RECORD_SCOPE_KEY, request_id_of
from server.settings import Settings

logger = logging.getLogger("connect_admin.server.http")


def query_limits(settings: Settings) -> Limits:
    return Limits(
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_tokens=settings.max_query_tokens,
        max_directives=settings.max_directives,
        max_cost=settings.max_query_cost,
        max_anonymous_cost=min(settings.max_anonymous_query_cost, settings.max_query_cost),
        max_anonymous_introspection_cost=min(
            settings.max_anonymous_introspection_cost, settings.max_query_cost
        ),
        page_size=service_config(settings).default_page_size,
        max_page_size=settings.max_page_size,
        introspection=settings.introspection,
        suggestions=settings.field_suggestions,
    )


def error_body(message: str, code: ErrorCode, **extensions: object) -> bytes:
    """A GraphQL response with one request error and no ``data``."""
    error = {"message": message, "extensions": {"code": code, **extensions}}
    return json.dumps({"errors": [error]}, separators=(",", ":")).encode()


# The client's connection is not kept: the rest of its body is not read.
CLOSE = (b"connection", b"close")


async def send_error(
    send: Send, status: int, content: bytes, *headers: tuple[bytes, bytes]
) -> None:
    """Answers with ``content``, an :func:`error_body`, and the extra headers."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(content)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": content})


class _TooLarge(Exception):
    pass


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, timeout_seconds: float = 10.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        # Read the whole (limited) body first, then hand it on in one message.
        try:
            async with asyncio.timeout(self.timeout_seconds):
                body = await self._read(receive)
        except TimeoutError:
            content = error_body(
                f"The request body did not arrive within {self.timeout_seconds:g} s.",
                ErrorCode.REQUEST_TIMEOUT,
                limit=self.timeout_seconds,
            )
            await send_error(send, 408, content, CLOSE)
            return
        except _TooLarge:
            await self._refuse(send)
            return
        if body is None:
            # The client went away: nothing to answer.
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _refuse(self, send: Send) -> None:
        content = error_body(
            f"The request body is larger than {self.max_bytes} bytes.",
            ErrorCode.REQUEST_TOO_LARGE,
            limit=self.max_bytes,
        )
        await send_error(send, 413, content, CLOSE)


class Unavailable:
    """Answers what fails outside GraphQL execution, which reports its own errors: the
    bearer token's check, the Idempotency-Key store, /metrics.

    A database that could not serve the request (no pooled connection became free, a
    lock not granted in time, a broken connection: persistence/faults.py) answers 503
    with ``Retry-After``; anything else 500 with a masked message. Both are GraphQL
    error bodies with ``extensions.code`` and the request id, never the exception's
    text, and both write an ERROR log line with the request id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as error:
            if started or scope["type"] != "http":
                raise
            await answer_failure(scope, send, error)


async def answer_failure(scope: Scope, send: Send, error: Exception) -> None:
    """The 503 or masked 500 of :class:`Unavailable`, logged under the request id."""
    request_id = request_id_of(scope)
    record = scope.get(RECORD_SCOPE_KEY)
    unavailable = isinstance(error, ServiceUnavailable | PoolTimeout)
    what = (
        "the database could not serve request %s"
        if unavailable
        else "unexpected error in request %s"
    )
    logger.error(what, request_id, exc_info=error, extra={"request_id": request_id})
    if unavailable:
        wait = error.retry_after if isinstance(error, ServiceUnavailable) else 1
        code = ErrorCode.SERVICE_UNAVAILABLE
        content = error_body(
            f"The database could not serve the request now. Try again in {wait} s.",
            code,
            retryAfter=wait,
            requestId=request_id,
        )
        status, headers = 503, [(b"retry-after", str(wait).encode())]
    else:
        code = ErrorCode.INTERNAL_SERVER_ERROR
        message = f"Unexpected error (request {request_id})."
        content = error_body(message, code, requestId=request_id)
        status, headers = 500, []
    if isinstance(record, RequestRecord):
        record.error_codes.append(code)
    await send_error(send, status, content, (b"x-request-id", request_id.encode()), *headers)

"""Request limits at the HTTP level, and the query limits taken from the settings.

:class:`BodyLimit` refuses a request body over ``CONNECT_MAX_BODY_BYTES`` with
413 and a GraphQL error body, before the application reads any of it: at
once when ``Content-Length`` says so, otherwise as soon as the received
bytes pass the limit.
"""

from __future__ import annotations

import json

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connect_admin.gql.limits import Limits
from connect_admin.server.container import service_config
from connect_admin.server.settings import Settings


def query_limits(settings: Settings) -> Limits:
    return Limits(
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_tokens=settings.max_query_tokens,
        max_directives=settings.max_directives,
        max_cost=settings.max_query_cost,
        page_size=service_config(settings).default_page_size,
        max_page_size=settings.max_page_size,
        introspection=settings.introspection,
        suggestions=settings.field_suggestions,
    )


def error_body(message: str, code: str, **extensions: object) -> bytes:
    """A GraphQL response with one request error and no ``data``."""
    error = {"message": message, "extensions": {"code": code, **extensions}}
    return json.dumps({"errors": [error]}, separators=(",", ":")).encode()


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        # Read the whole (limited) body first, then hand it on in one message.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                # The client went away: nothing to answer.
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        content = error_body(
            f"The request body is larger than {self.max_bytes} bytes.",
            "REQUEST_TOO_LARGE",
            limit=self.max_bytes,
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(content)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": content})

"""HTTP hygiene around every route: bounded request headers, redirects that never
point at the request's Host, and ``Cache-Control: no-store`` on /graphql.

- A request with more than ``CONNECT_MAX_HEADER_COUNT`` headers, or whose
  headers (names and values) add up to more than ``CONNECT_MAX_HEADER_BYTES``,
  is answered 431 (``REQUEST_HEADERS_TOO_LARGE``) and its connection closed; a
  websocket upgrade like it is refused (HTTP 403) before it is accepted.
- A redirect's ``Location`` is made relative (a path) when the application
  built it from the request's own scheme and Host (Starlette's trailing-slash
  redirect does): a forged ``Host: evil.example`` must not send a browser
  elsewhere. A path never starts with ``//`` (which a browser reads as another
  host).
- Every answer of /graphql carries ``Cache-Control: no-store``: sign-in answers
  carry tokens, and every other answer is one caller's data.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.error_codes import ErrorCode
from server.http.limits import CLOSE, error_body, send_error

GRAPHQL_PATH = "/graphql"
NO_STORE = (b"cache-control", b"no-store")


class HttpHygiene:
    def __init__(self, app: ASGIApp, *, max_header_bytes: int, max_header_count: int) -> None:
        self.app = app
        self.max_header_bytes = max_header_bytes
        self.max_header_count = max_header_count

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
        problem = self._header_problem(headers)
        if problem is not None:
            if scope["type"] == "websocket":
                # Closing before accepting answers the upgrade with HTTP 403.
                await send({"type": "websocket.close", "code": 1008})
                return
            content = error_body(
                problem,
                ErrorCode.REQUEST_HEADERS_TOO_LARGE,
                limit={"bytes": self.max_header_bytes, "count": self.max_header_count},
            )
            await send_error(send, 431, content, CLOSE, NO_STORE)
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        no_store = scope.get("path") == GRAPHQL_PATH
        host = _header(headers, b"host")

        async def hygienic(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (name, _relative(value, host) if name.lower() == b"location" else value)
                    for name, value in message.get("headers", [])
                    if not (no_store and name.lower() == b"cache-control")
                ]
                if no_store:
                    kept.append(NO_STORE)
                message = {**message, "headers": kept}
            await send(message)

        await self.app(scope, receive, hygienic)

    def _header_problem(self, headers: list[tuple[bytes, bytes]]) -> str | None:
        if len(headers) > self.max_header_count:
            return (
                f"The request has {len(headers)} headers; at most "
                f"{self.max_header_count} are allowed."
            )
        size = sum(len(name) + len(value) for name, value in headers)
        if size > self.max_header_bytes:
            return (
                f"The request's headers are {size} bytes long; at most "
                f"{self.max_header_bytes} are allowed."
            )
        return None


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _relative(location: bytes, host: bytes | None) -> bytes:
    """The Location without the request's own scheme and host, its path never beginning
    with ``//`` (or ``/\\``, which browsers read alike). A location without a host, or to
    another host that the application chose itself, stays."""
    try:
        parts = urlsplit(location.decode("latin-1"))
    except ValueError:
        return b"/"
    if not parts.netloc or (host is not None and parts.netloc.encode("latin-1") != host):
        return location
    path = "/" + parts.path.lstrip("/\\")
    if parts.query:
        path += "?" + parts.query
    if parts.fragment:
        path += "#" + parts.fragment
    return path.encode("latin-1")

"""``Idempotency-Key`` for ``resetUsers``: a repeat gets the first response and runs nothing.

Other operations ignore the header: their answers may carry secrets (a
sign-in's token, a new API token) that must never be stored.

The key is scoped to the caller's credentials (a hash of the Authorization
header) and kept for a day. A repeat is answered from the store only while
those credentials still authenticate: once the token is revoked or the
session ended, the request goes to the endpoint like any other and is
refused there (UNAUTHENTICATED), so a stored answer never outlives the right
to read it. The same key with another body is refused; a
repeat while the first request still runs is told to wait (for at most 15
minutes: then the first is taken to have died with its process). A first
request that fails unexpectedly frees its key, so a retry runs again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from graphql import FieldNode, GraphQLError, OperationType, get_operation_ast, parse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.error_codes import ErrorCode
from persistence.idempotency import SqlIdempotencyStore

HEADER = "idempotency-key"
IDEMPOTENT_FIELDS = frozenset({"resetUsers"})
MAX_KEY_LENGTH = 200
KEEP_FOR = timedelta(hours=24)
# A first request still unfinished after this is taken to have died with its process.
ABANDONED_AFTER = timedelta(minutes=15)


class IdempotencyMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        store: SqlIdempotencyStore,
        now: Callable[[], datetime],
        authenticates: Callable[[Headers], Awaitable[bool]],
    ) -> None:
        self.app = app
        self.store = store
        self.now = now
        # Whether the request's credentials still name a signed-in caller.
        self.authenticates = authenticates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get(HEADER)
        if key is None:
            await self.app(scope, receive, send)
            return
        if not 0 < len(key) <= MAX_KEY_LENGTH:
            await _error(send, 400, ErrorCode.INVALID_IDEMPOTENCY_KEY, "1 to 200 characters.")
            return
        body = await _read_body(receive)
        if not _is_idempotent_mutation(body):
            # Only resetUsers is kept: other answers may carry secrets (a sign-in's
            # token, a new API token) that must never be stored.
            await self.app(scope, _replay(body), send)
            return
        caller = _digest(headers.get("authorization", "").encode())
        request_hash = _digest(body)
        now = self.now()
        stored = await self.store.claim(
            caller, key, request_hash, now, now - KEEP_FOR, now - ABANDONED_AFTER
        )
        if stored is None:
            await self._first(scope, body, send, caller, key)
        elif stored.request_hash != request_hash:
            await _error(
                send, 422, ErrorCode.IDEMPOTENCY_KEY_REUSED,
                "This Idempotency-Key was used for another request.",
            )  # fmt: skip
        elif stored.status_code is None or stored.response is None:
            await _error(
                send, 409, ErrorCode.IDEMPOTENCY_KEY_IN_USE,
                "The first request with this Idempotency-Key is still running.",
            )  # fmt: skip
        elif not await self.authenticates(headers):
            # Revoked token or ended session: refused by the endpoint, nothing replayed.
            await self.app(scope, _replay(body), send)
        else:
            await _respond(
                send, stored.status_code, stored.content_type or "application/json",
                stored.response.encode(), replayed=True,
            )  # fmt: skip

    async def _first(self, scope: Scope, body: bytes, send: Send, caller: str, key: str) -> None:
        status = 500
        content_type = "application/json"
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                content_type = Headers(raw=message["headers"]).get("content-type", content_type)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, _replay(body), capture)
        except BaseException:
            await self.store.release(caller, key)
            raise
        response = b"".join(chunks)
        if status >= 500 or _unexpected_failure(response):
            # Nothing to keep: a retry must run again.
            await self.store.release(caller, key)
        else:
            await self.store.complete(caller, key, status, content_type, response.decode())


def _replay(body: bytes) -> Receive:
    """An ASGI receive that hands the already read body over once."""
    given = False

    async def receive() -> Message:
        nonlocal given
        if given:
            return {"type": "http.disconnect"}
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _is_idempotent_mutation(body: bytes) -> bool:
    """A JSON body whose operation is a mutation of IDEMPOTENT_FIELDS only."""
    try:
        request = json.loads(body)
        operation = get_operation_ast(parse(request["query"]), request.get("operationName"))
    except (ValueError, TypeError, KeyError, GraphQLError):
        return False
    if operation is None or operation.operation is not OperationType.MUTATION:
        return False
    return all(
        isinstance(selection, FieldNode) and selection.name.value in IDEMPOTENT_FIELDS
        for selection in operation.selection_set.selections
    )


def _unexpected_failure(response: bytes) -> bool:
    try:
        errors = json.loads(response).get("errors") or []
    except (ValueError, AttributeError):
        return True
    return any(
        (error.get("extensions") or {}).get("code") == ErrorCode.INTERNAL_SERVER_ERROR
        for error in errors
    )


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def _read_body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(parts)


async def _respond(
    send: Send, status: int, content_type: str, body: bytes, *, replayed: bool = False
) -> None:
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if replayed:
        headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _error(send: Send, status: int, code: ErrorCode, message: str) -> None:
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()
    await _respond(send, status, "application/json", body)

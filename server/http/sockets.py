"""Websockets (graphql-transport-ws at /graphql) that end with their credential, and
are bounded like HTTP requests.

- A socket signed in with a token (the upgrade's Authorization header, or
  ``connection_init``'s payload) checks that token again every
  ``CONNECT_WEBSOCKET_RECHECK_SECONDS``, and at once after a mutation of this
  server process (signOut, revokeApiToken, blocking or deleting an account are
  mutations). When the token no longer signs in (session ended or expired,
  token revoked, account blocked or deleted), the socket is closed with code
  ``4401`` ("Unauthorized", which graphql-ws clients do not retry): every
  subscription on it ends. While the token still works, the socket's principal
  follows the account (a sub-administrator's new locations, say).
- ``connection_init`` must come within ``CONNECT_WEBSOCKET_INIT_SECONDS``
  (4408 after, as graphql-transport-ws says).
- A message longer than ``CONNECT_MAX_BODY_BYTES`` closes the socket with 1009
  ("message too big"), unparsed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from json import JSONDecodeError

import orjson
from starlette.websockets import WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import (
    NonJsonMessageReceived,
    NonTextMessageReceived,
    WebSocketDisconnected,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)

from domain.principals import Anonymous, Principal
from gql.context import Context

logger = logging.getLogger("connect_admin.server.sockets")

# graphql-transport-ws's "Unauthorized": graphql-ws clients give up rather than retry.
CREDENTIAL_ENDED = 4401
CREDENTIAL_ENDED_REASON = "The credential ended: sign in again"
# RFC 6455's "message too big".
MESSAGE_TOO_BIG = 1009


class SocketWatch:
    """The open sockets of one server process, each re-checking its credential."""

    def __init__(
        self,
        authenticate: Callable[[str | None], Awaitable[Principal]],
        *,
        recheck_seconds: float,
        max_message_bytes: int,
    ) -> None:
        self._authenticate = authenticate
        self.recheck_seconds = recheck_seconds
        self.max_message_bytes = max_message_bytes
        self._wakes: set[asyncio.Event] = set()

    def recheck_now(self) -> None:
        """Every open socket checks its credential at once (after a mutation)."""
        for wake in self._wakes:
            wake.set()

    async def watch(self, context: Context, close: Callable[[int, str], Awaitable[None]]) -> None:
        """Until cancelled: the socket's token checked again; the socket closed when it
        no longer signs in."""
        wake = asyncio.Event()
        self._wakes.add(wake)
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.recheck_seconds):
                        await wake.wait()
                wake.clear()
                if isinstance(context.principal, Anonymous):
                    continue  # nothing signed in: nothing can end
                try:
                    principal = await self._authenticate(context.bearer_token)
                except Exception:
                    # The database could not answer: the next check decides.
                    logger.warning("a websocket's credential could not be checked", exc_info=True)
                    continue
                if isinstance(principal, Anonymous):
                    await close(CREDENTIAL_ENDED, CREDENTIAL_ENDED_REASON)
                    return
                context.principal = principal
                context.record.record_principal(principal)
        finally:
            self._wakes.discard(wake)


class CredentialBoundHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws, with the socket's credential watched while it is open."""

    async def handle(self) -> None:
        watch: SocketWatch = getattr(self.view, "sockets")  # noqa: B009
        watcher = asyncio.create_task(watch.watch(self.context, self._close))
        try:
            await super().handle()
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    async def _close(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await self.websocket.close(code=code, reason=reason)


class BoundedTextWebSocketAdapter(ASGIWebSocketAdapter):
    """Strawberry's adapter, reading text frames of at most the body limit and sending
    JSON as text frames: graphql-transport-ws carries JSON in text frames (Strawberry
    sends a binary one when ``encode_json`` returns bytes, as ours does for HTTP, and
    GraphiQL's client cannot parse it)."""

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object]:
        watch: SocketWatch = getattr(self.view, "sockets")  # noqa: B009
        limit = watch.max_message_bytes
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    return
                text = message.get("text")
                if text is None:
                    raise NonTextMessageReceived
                if len(text) > limit or len(text.encode()) > limit:
                    await self.ws.close(
                        MESSAGE_TOO_BIG, f"A message is at most {limit} bytes long."
                    )
                    return
                try:
                    yield self.view.decode_json(text)
                except JSONDecodeError as error:
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from error
        except WebSocketDisconnect:
            pass

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc

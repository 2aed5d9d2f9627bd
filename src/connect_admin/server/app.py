"""The Starlette application: /graphql (GraphiQL in a browser), CORS, request ids."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from connect_admin.domain.errors import NotAuthenticated
from connect_admin.domain.ports import MailSender
from connect_admin.domain.principals import Anonymous, Principal
from connect_admin.domain.services import auth
from connect_admin.domain.services.deps import Deps
from connect_admin.gql.context import Context
from connect_admin.gql.schema import schema
from connect_admin.persistence.database import create_engine
from connect_admin.persistence.idempotency import SqlIdempotencyStore
from connect_admin.server.container import deps_factory
from connect_admin.server.dispatcher import run_dispatcher
from connect_admin.server.idempotency import IdempotencyMiddleware
from connect_admin.server.settings import Settings

logger = logging.getLogger("connect_admin.server")

REQUEST_ID_HEADER = "x-request-id"
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")


def bearer_token(headers: Any) -> str | None:
    value: str = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view, with our context: principal, services, loaders."""

    def __init__(self, make_deps: Callable[[], Deps]) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self._make_deps = make_deps

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        # A client's id is kept only when it is harmless in logs and headers.
        request_id = given if REQUEST_ID_PATTERN.fullmatch(given) else uuid.uuid4().hex
        if isinstance(response, Response):
            response.headers[REQUEST_ID_HEADER] = request_id
        return Context(
            principal=await self._principal(request),
            deps_factory=self._make_deps,
            request_id=request_id,
        )

    async def _principal(self, request: Request | WebSocket) -> Principal:
        # A bad or expired token is treated as none: public operations still work,
        # everything else answers UNAUTHENTICATED.
        try:
            return await auth.authenticate(self._make_deps(), bearer_token(request.headers))
        except NotAuthenticated:
            return Anonymous()


def create_app(
    settings: Settings,
    *,
    engine: AsyncEngine | None = None,
    mailer: MailSender | None = None,
) -> Starlette:
    """The app; it owns (and disposes) its engine unless one is given."""
    owns_engine = engine is None
    active_engine = engine if engine is not None else create_engine(settings.database_url)
    make_deps = deps_factory(active_engine, settings, mailer=mailer)
    graphql = GraphQLApp(make_deps)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        dispatcher = (
            asyncio.create_task(
                run_dispatcher(make_deps, stop, poll_seconds=settings.mail_poll_seconds)
            )
            if settings.mail_dispatcher
            else None
        )
        try:
            yield
        finally:
            stop.set()
            if dispatcher is not None:
                await dispatcher
            if owns_engine:
                await active_engine.dispose()

    middleware = []
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["authorization", "content-type", REQUEST_ID_HEADER],
                expose_headers=[REQUEST_ID_HEADER],
            )
        )
    endpoint = IdempotencyMiddleware(
        graphql, SqlIdempotencyStore(active_engine), now=lambda: datetime.now(UTC)
    )
    return Starlette(
        routes=[Route("/graphql", endpoint, methods=["GET", "POST"])],
        middleware=middleware,
        lifespan=lifespan,
    )

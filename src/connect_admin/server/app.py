"""The Starlette application: /graphql (GraphiQL in a browser), CORS, request ids,
/healthz and /readyz."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route, WebSocketRoute

from connect_admin.domain.ports import MailSender
from connect_admin.gql.progress_broker import ProgressBroker
from connect_admin.gql.schema import build_schema
from connect_admin.persistence.database import create_engine
from connect_admin.persistence.idempotency import SqlIdempotencyStore
from connect_admin.server.container import deps_factory
from connect_admin.server.dispatcher import run_dispatcher
from connect_admin.server.graphiql import GraphiQLAssets
from connect_admin.server.graphql_view import REQUEST_ID_HEADER, GraphQLApp
from connect_admin.server.health import health_routes
from connect_admin.server.idempotency import IdempotencyMiddleware
from connect_admin.server.limits import BodyLimit, query_limits
from connect_admin.server.logs import AccessLog
from connect_admin.server.settings import Settings

logger = logging.getLogger("connect_admin.server")


def create_app(
    settings: Settings,
    *,
    engine: AsyncEngine | None = None,
    mailer: MailSender | None = None,
    progress: ProgressBroker | None = None,
) -> Starlette:
    """The app; it owns (and disposes) its engine unless one is given.

    ``progress`` replaces the default broker of operation progress (tests).
    """
    owns_engine = engine is None
    active_engine = engine if engine is not None else create_engine(settings.database_url)
    make_deps = deps_factory(active_engine, settings, mailer=mailer)
    # GraphiQL's files come from node_modules (`npm ci`), served below; see server/graphiql.py.
    graphiql = GraphiQLAssets(settings.web_assets)
    # The schema with the query limits of the settings (gql/limits.py).
    schema = build_schema(query_limits(settings), compiled=settings.compiled_execution)
    graphql = GraphQLApp(
        make_deps,
        graphiql=graphiql,
        schema=schema,
        progress=progress,
        # Browser pages of these origins may open the websocket too.
        allowed_origins=settings.cors_origins,
    )

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
                allow_headers=[
                    "authorization",
                    "content-type",
                    "idempotency-key",
                    REQUEST_ID_HEADER,
                ],
                expose_headers=[REQUEST_ID_HEADER],
            )
        )
    # Inside CORS, so that a refusal still carries the CORS headers.
    middleware.append(Middleware(BodyLimit, max_bytes=settings.max_body_bytes))
    endpoint = IdempotencyMiddleware(
        graphql, SqlIdempotencyStore(active_engine), now=lambda: datetime.now(UTC)
    )
    # One JSON access-log line per GraphQL request (server/logs.py).
    logged = AccessLog(endpoint)
    return Starlette(
        routes=[
            Route("/graphql", logged, methods=["GET", "POST"]),
            # Subscriptions (graphql-transport-ws), at the same URL: GraphiQL expects them there.
            WebSocketRoute("/graphql", graphql),
            *graphiql.routes(),
            *health_routes(active_engine),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )


def create_app_from_environment() -> Starlette:
    """The app from the ``CONNECT_…`` environment: uvicorn's factory for each worker
    process of ``connect-admin serve --workers N``; each builds its own engine."""
    return create_app(Settings())

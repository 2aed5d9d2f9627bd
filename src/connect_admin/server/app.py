"""The Starlette application: /graphql (GraphiQL in a browser), CORS, request ids."""

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
from starlette.routing import Route

from connect_admin.domain.ports import MailSender
from connect_admin.persistence.database import create_engine
from connect_admin.persistence.idempotency import SqlIdempotencyStore
from connect_admin.server.container import deps_factory
from connect_admin.server.dispatcher import run_dispatcher
from connect_admin.server.graphql_view import REQUEST_ID_HEADER, GraphQLApp
from connect_admin.server.idempotency import IdempotencyMiddleware
from connect_admin.server.settings import Settings

logger = logging.getLogger("connect_admin.server")


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

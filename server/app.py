"""The Starlette application: /graphql (GraphiQL in a browser), /admin (the Web
Administration), CORS, request ids, /healthz and /readyz."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route, WebSocketRoute, request_response

from domain.ports import Clock, MailSender
from domain.principals import Anonymous
from gql.observability import RequestRecord
from gql.progress_broker import ProgressBroker
from gql.schema import build_schema
from persistence.cost_budgets import SqlCostBudgets
from persistence.database import create_engine
from persistence.idempotency import SqlIdempotencyStore
from persistence.progress import SqlProgressStore
from server import metrics
from server.container import deps_factory
from server.cost_budget import DatabaseCostBudget
from server.dispatcher import run_dispatcher
from server.graphiql import GraphiQLAssets
from server.graphql_view import (
    COST_HEADERS,
    REQUEST_ID_HEADER,
    GraphQLApp,
    bearer_token,
)
from server.health import health_routes
from server.idempotency import IdempotencyMiddleware
from server.limits import BodyLimit, Unavailable, query_limits
from server.logs import AccessLog
from server.security import SystemClock
from server.settings import Settings
from server.web_admin import WebAdmin

logger = logging.getLogger("connect_admin.server")


def create_app(
    settings: Settings,
    *,
    engine: AsyncEngine | None = None,
    mailer: MailSender | None = None,
    clock: Clock | None = None,
    freeze_heap: bool = False,
) -> Starlette:
    """The app; it owns (and disposes) its engine unless one is given.

    ``clock`` replaces the system clock (tests). ``freeze_heap``: a server
    process's app (see freeze_startup_heap).
    """
    owns_engine = engine is None
    active_engine = (
        engine
        if engine is not None
        else create_engine(
            settings.database_url, pool_timeout=settings.database_pool_timeout_seconds
        )
    )
    clock = clock if clock is not None else SystemClock()
    make_deps = deps_factory(active_engine, settings, mailer=mailer, clock=clock)
    # In the database, so that every worker process sees every run's progress.
    progress = ProgressBroker(
        SqlProgressStore(active_engine), wait_timeout=settings.progress_wait_seconds
    )
    # GraphiQL's files come from node_modules (`npm ci`), served below; see server/graphiql.py.
    graphiql = GraphiQLAssets(settings.web_assets)
    # The schema with the query limits of the settings (gql/limits/).
    schema = build_schema(query_limits(settings), compiled=settings.compiled_execution)
    graphql = GraphQLApp(
        make_deps,
        graphiql=graphiql,
        schema=schema,
        progress=progress,
        # Browser pages of these origins may open the websocket too.
        allowed_origins=settings.cors_origins,
        query_deadline_seconds=settings.query_deadline_seconds,
        # Each caller's query cost budget, in the database for every worker (gql/limits/budget.py).
        cost_budget=(
            DatabaseCostBudget(
                SqlCostBudgets(active_engine),
                clock,
                capacity=settings.cost_budget_capacity,
                refill_per_second=settings.cost_budget_refill_per_second,
                reserve=settings.cost_budget_reserve,
            )
            if settings.cost_budget
            else None
        ),
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
        if freeze_heap:
            freeze_startup_heap()
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
                expose_headers=[REQUEST_ID_HEADER, *COST_HEADERS],
            )
        )
    # Inside CORS, so that a refusal still carries the CORS headers.
    middleware.append(
        Middleware(
            BodyLimit,
            max_bytes=settings.max_body_bytes,
            timeout_seconds=settings.body_timeout_seconds,
        )
    )

    async def authenticates(headers: Headers) -> bool:
        principal = await graphql.authenticate(bearer_token(headers))
        return not isinstance(principal, Anonymous)

    endpoint = IdempotencyMiddleware(
        graphql,
        SqlIdempotencyStore(active_engine),
        now=lambda: datetime.now(UTC),
        authenticates=authenticates,
    )

    # One JSON access-log line per GraphQL request (server/logs.py).
    def observe(record: RequestRecord, status: int, outcome: str, seconds: float) -> None:
        metrics.observe_request(record, status, outcome, seconds)
        metrics.record_pool(active_engine)

    logged = AccessLog(Unavailable(endpoint), observe=observe)
    return Starlette(
        routes=[
            Route("/graphql", logged, methods=["GET", "POST"]),
            # Subscriptions (graphql-transport-ws), at the same URL: GraphiQL expects them there.
            WebSocketRoute("/graphql", graphql),
            *graphiql.routes(),
            # The Web Administration SPA (server/web_admin.py).
            *WebAdmin(graphiql).routes(),
            *health_routes(active_engine),
            Route(
                "/metrics",
                # A full pool answers 503, as for /graphql.
                Unavailable(
                    request_response(
                        metrics.metrics_endpoint(active_engine, settings.metrics_outbox_seconds)
                    )
                ),
                methods=["GET"],
            ),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )


def create_app_from_environment() -> Starlette:
    """The app from the ``CONNECT_…`` environment: uvicorn's factory for each worker
    process of ``connect-admin serve --workers N``; each builds its own engine."""
    return create_app(Settings(), freeze_heap=True)


# Young objects the cyclic collector lets pile up before it looks (CPython: 700).
GC_YOUNG_THRESHOLD = 10_000


def freeze_startup_heap() -> None:
    """Moves what is alive after start-up out of the cyclic garbage collector's
    reach, and lets it look at young objects less often.

    Why: most of a server's heap is modules, the schema and the libraries' own
    structures, and every full collection walks all of it: under 16 concurrent
    users pages one came every ~40 pages and cost ~2 ms of CPU per page on
    average, a fifth of the request. A page makes thousands of short-lived
    objects, nearly all freed by reference counting; at CPython's default a
    young collection ran three times per page (~0.3 ms). Measured with bench/.
    Objects made after start-up are collected as always.
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)

"""The Starlette application: /graphql (GraphiQL in a browser), CORS, request ids,
/healthz and /readyz."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route, WebSocketRoute, request_response
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.schema.base import BaseSchema

from adapters.clock import SystemClock
from adapters.cost_budget import DatabaseCostBudget
from domain.ports import Clock, MailSender
from domain.principals import Anonymous
from domain.services.password_links import SET_PASSWORD_PATH
from domain.services.progress import ProgressBroker
from domain.services.registry import Services
from gql.observability import RequestRecord
from gql.schema import build_schema
from persistence.cost_budgets import SqlCostBudgets
from persistence.database import create_engine, is_sqlite
from persistence.idempotency import SqlIdempotencyStore
from persistence.progress import SqlProgressStore
from server.container import services_factory
from server.dispatcher import run_dispatcher
from server.http import metrics
from server.http.forgot_password import FORGOT_PASSWORD_PATH, ForgotPasswordPage
from server.http.graphql_view import (
    COST_HEADERS,
    REQUEST_ID_HEADER,
    GraphQLApp,
    bearer_token,
)
from server.http.health import healthz, readiness_endpoint
from server.http.hygiene import HttpHygiene
from server.http.idempotency import IdempotencyMiddleware
from server.http.limits import BodyLimit, Unavailable, query_limits
from server.http.logs import AccessLog
from server.http.reset_report import REPORT_PATH, ResetReportDownload
from server.http.set_password import SetPasswordPage
from server.http.tracing import RequestSpans
from server.reset_job_worker import run_reset_jobs, stop_reset_jobs
from server.settings import Settings
from server.tracing import TracedCostBudget, configure_tracing, instrument_engine
from server.ui.graphiql import GraphiQLAssets
from server.ui.web_admin import WebAdmin

logger = logging.getLogger("connect_admin.server")


def pool_size_option(settings: Settings) -> dict[str, int]:
    """The pool size for PostgreSQL; SQLite's pool is its own (persistence/database.py)."""
    if is_sqlite(settings.database_url):
        return {}
    return {"pool_size": settings.database_pool_size}


async def _warn_of_another_secret_key(make_services: Callable[[], Services]) -> None:
    """At start: an ERROR line when the stored secrets were encrypted with another
    CONNECT_SECRET_KEY (the server still starts: the gateway's password can be entered
    anew through it). A database that does not answer yet is /readyz's to report."""
    try:
        problem = await make_services().mail.secret_key_problem()
    except Exception:
        return
    if problem is not None:
        logging.getLogger("connect_admin.server").error("%s", problem)


def create_app(
    settings: Settings,
    *,
    engine: AsyncEngine | None = None,
    mailer: MailSender | None = None,
    clock: Clock | None = None,
    freeze_heap: bool = False,
) -> Starlette:
    """The app. Its engine lives in its lifespan: made at start-up and disposed at
    shutdown, unless one is given (then the caller owns it). The app serves only
    inside its lifespan.

    ``clock`` replaces the system clock (tests). ``freeze_heap``: a server
    process's app (see freeze_startup_heap).
    """
    clock = clock if clock is not None else SystemClock()
    # Traces when the OTEL_… variables ask for them (docs/operators/traces.md).
    traced = configure_tracing()
    # GraphiQL's files come from node_modules (`npm ci`), served below; see server/ui/graphiql.py.
    graphiql = GraphiQLAssets(settings.web_assets)
    # The schema with the query limits of the settings (gql/limits/).
    schema = build_schema(query_limits(settings), compiled=settings.compiled_execution)
    # The routes that need the database; the lifespan fills them in.
    endpoint, websocket, readyz, metrics_route = _Late(), _Late(), _Late(), _Late()
    set_password, forgot_password = _Late(), _Late()
    reset_report = _Late()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        active_engine = (
            engine
            if engine is not None
            else create_engine(
                settings.database_url,
                pool_timeout=settings.database_pool_timeout_seconds,
                **pool_size_option(settings),
            )
        )
        if traced:
            instrument_engine(active_engine)
        try:
            make_services = services_factory(active_engine, settings, mailer=mailer, clock=clock)
            graphql = _graphql_app(
                active_engine, settings, make_services, clock, graphiql, schema, traced
            )
            endpoint.app = _endpoint(active_engine, settings, graphql)
            websocket.app = graphql
            set_password.app = request_response(SetPasswordPage(make_services).endpoint)
            reset_report.app = request_response(ResetReportDownload(make_services).endpoint)
            forgot_password.app = request_response(ForgotPasswordPage(make_services).endpoint)
            readyz.app = request_response(
                readiness_endpoint(
                    active_engine,
                    secret_key_problem=lambda: make_services().mail.secret_key_problem(),
                )
            )
            await _warn_of_another_secret_key(make_services)
            metrics_route.app = request_response(
                metrics.metrics_endpoint(active_engine, settings.metrics_outbox_seconds)
            )
            stop = asyncio.Event()
            dispatcher = (
                asyncio.create_task(
                    run_dispatcher(make_services, stop, poll_seconds=settings.mail_poll_seconds)
                )
                if settings.mail_dispatcher
                else None
            )
            jobs = (
                asyncio.create_task(
                    run_reset_jobs(
                        make_services,
                        stop,
                        poll_seconds=settings.mail_poll_seconds,
                        progress=ProgressBroker(SqlProgressStore(active_engine)),
                    )
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
                if jobs is not None:
                    await stop_reset_jobs(jobs)
                if dispatcher is not None:
                    await dispatcher
        finally:
            if engine is None:
                await active_engine.dispose()

    # Outermost: headers are bounded before anything reads them, and every /graphql
    # answer (refusals of the limits below too) is no-store (server/http/hygiene.py).
    middleware = [
        Middleware(
            HttpHygiene,
            max_header_bytes=settings.max_header_bytes,
            max_header_count=settings.max_header_count,
        )
    ]
    if traced:
        middleware.append(Middleware(RequestSpans))
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
    return Starlette(
        routes=[
            Route("/graphql", endpoint, methods=["GET", "POST"]),
            # Subscriptions (graphql-transport-ws), at the same URL: GraphiQL expects them there.
            WebSocketRoute("/graphql", websocket),
            *graphiql.routes(),
            # The Web Administration SPA (server/ui/web_admin.py).
            *WebAdmin(graphiql).routes(),
            # The one-time links a reset mails instead of a password (set_password.py).
            Route(SET_PASSWORD_PATH, set_password, methods=["GET", "POST"]),
            # A reset job's report, by the link ResetJob.reportUrl hands out (reset_report.py).
            Route(REPORT_PATH, reset_report, methods=["GET"]),
            # Where a user asks for such a link itself (forgot_password.py).
            Route(FORGOT_PASSWORD_PATH, forgot_password, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            # A full pool answers 503, as for /graphql.
            Route("/metrics", Unavailable(metrics_route), methods=["GET"]),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )


class _Late:
    """An ASGI app that the lifespan makes: the route stands from the start, its
    handler once the engine does."""

    app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.app is None:
            raise RuntimeError("the app serves only inside its lifespan")
        await self.app(scope, receive, send)


def _graphql_app(
    engine: AsyncEngine,
    settings: Settings,
    make_services: Callable[[], Services],
    clock: Clock,
    graphiql: GraphiQLAssets,
    schema: BaseSchema,
    traced: bool,
) -> GraphQLApp:
    budget = (
        DatabaseCostBudget(
            SqlCostBudgets(engine),
            clock,
            capacity=settings.cost_budget_capacity,
            refill_per_second=settings.cost_budget_refill_per_second,
            reserve=settings.cost_budget_reserve,
        )
        if settings.cost_budget
        else None
    )
    return GraphQLApp(
        make_services,
        graphiql=graphiql,
        schema=schema,
        # In the database, so that every worker process sees every run's progress.
        progress=ProgressBroker(
            SqlProgressStore(engine), wait_timeout=settings.progress_wait_seconds
        ),
        # Browser pages of these origins may open the websocket too.
        allowed_origins=settings.cors_origins,
        query_deadline_seconds=settings.query_deadline_seconds,
        websocket_init_seconds=settings.websocket_init_seconds,
        websocket_recheck_seconds=settings.websocket_recheck_seconds,
        # A websocket message is bounded like a request body.
        max_message_bytes=settings.max_body_bytes,
        # Subscriptions, counted as they end, as HTTP's requests are (server/http/metrics.py).
        observe_websocket_operation=metrics.observe_websocket_operation,
        # Each caller's query cost budget, in the database for every worker (gql/limits/budget.py).
        cost_budget=TracedCostBudget(budget) if traced and budget is not None else budget,
    )


def _endpoint(engine: AsyncEngine, settings: Settings, graphql: GraphQLApp) -> ASGIApp:
    """/graphql over HTTP: idempotent retries, the access log, 503 on a full pool."""

    async def authenticates(headers: Headers) -> bool:
        principal = await graphql.authenticate(bearer_token(headers))
        return not isinstance(principal, Anonymous)

    idempotent = IdempotencyMiddleware(
        graphql,
        SqlIdempotencyStore(engine),
        now=lambda: datetime.now(UTC),
        authenticates=authenticates,
    )

    # One JSON access-log line per GraphQL request (server/http/logs.py).
    def observe(record: RequestRecord, status: int, outcome: str, seconds: float) -> None:
        metrics.observe_request(record, status, outcome, seconds)
        metrics.record_pool(engine)

    return AccessLog(Unavailable(idempotent), observe=observe)


def create_app_from_environment() -> Starlette:
    """The app from the ``CONNECT_…`` environment: uvicorn's factory for each worker
    process of ``connect-admin serve --workers N``; each builds its own engine."""
    return create_app(Settings(), freeze_heap=True)


# Young objects the cyclic collector lets pile up before it looks (CPython: 700).
GC_YOUNG_THRESHOLD = 50_000


def freeze_startup_heap() -> None:
    """Moves what is alive after start-up out of the cyclic garbage collector's
    reach, and lets it look at young objects less often.

    Why: most of a server's heap is modules, the schema and the libraries' own
    structures, and every full collection walks all of it: under 16 concurrent
    users pages one came every ~40 pages and cost ~2 ms of CPU per page on
    average, a fifth of the request. A page makes thousands of short-lived
    objects, nearly all freed by reference counting; at CPython's default a
    young collection ran three times per page (~0.3 ms). At 10,000 a young
    collection still came whenever 16 pages in flight held that many objects, and
    each walked them all (and promoted them, to be walked again): 50,000 took
    server CPU per page from 17.0 to 16.0 ms on a loaded machine (0.38 to 0.12 s
    of young collections in a 10 s run; 200,000 gained little more and lets
    cyclic garbage grow further). Measured with bench/. Objects made after
    start-up are collected as always.
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)

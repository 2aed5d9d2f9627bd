"""``/metrics`` in the Prometheus text format, for operators.

Counted per request (by the access-log middleware, server/http/logs.py; a
subscription over the websocket as it ends): GraphQL requests by operation type,
root field and outcome, with a latency histogram;
the operations an executor ran (not those refused before they run);
refusals by error code; reset actions by action and result. Read at scrape
time: the outbox by status, the age of the oldest due mail, the database
connections in use.

The ``operation`` label is the operation's first root field (``users``,
``resetUsers``, or a meta field such as ``__schema``), checked against the schema,
not the client's operation name: a label a client could choose freely would let it
grow the metrics without bound.

With ``serve --workers N`` every worker writes its figures to files in
``PROMETHEUS_MULTIPROC_DIR`` (made by ``serve``; prometheus-client's
multiprocess mode), and whichever worker answers a scrape adds up all of them.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response

from gql.observability import RequestRecord
from persistence.metrics import lockout_figures, outbox_figures

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = Counter(
    "connect_admin_graphql_requests",
    "GraphQL requests by operation type, first root field and outcome "
    "(ok, errors: GraphQL or payload errors, http_error: refused before execution).",
    ["operation_type", "operation", "outcome"],
)
EXECUTED = Counter(
    "connect_admin_graphql_operations_executed",
    "GraphQL operations an executor ran, by operation type and executor (compiled, "
    "standard); one refused before it runs (QUERY_TOO_COSTLY, RATE_LIMITED, a limit) "
    "is not counted.",
    ["operation_type", "executor"],
)
LATENCY = Histogram(
    "connect_admin_graphql_request_duration_seconds",
    "Time from a GraphQL request's arrival to its response, by operation type.",
    ["operation_type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
REFUSALS = Counter(
    "connect_admin_refusals",
    "Errors by code: GraphQL errors' extensions.code and payload errors' code.",
    ["code"],
)
RESET_ACTIONS = Counter(
    "connect_admin_reset_actions",
    "Reset actions that were carried out (not dry runs), by action and result.",
    ["action", "result"],
)
POOL_IN_USE = Gauge(
    "connect_admin_database_connections_in_use",
    "Database connections checked out of the pool, summed over the live workers.",
    multiprocess_mode="livesum",
)


def observe_request(record: RequestRecord, status: int, outcome: str, seconds: float) -> None:
    operation_type = record.operation_type or "none"
    REQUESTS.labels(operation_type, record.root_field or "none", outcome).inc()
    LATENCY.labels(operation_type).observe(seconds)
    if record.compiled or record.executed:
        EXECUTED.labels(operation_type, "compiled" if record.compiled else "standard").inc()
    for code in (*record.error_codes, *record.payload_error_codes):
        REFUSALS.labels(code).inc()
    for action, done in record.reset_actions:
        RESET_ACTIONS.labels(action, "done" if done else "refused").inc()


def observe_websocket_operation(record: RequestRecord) -> None:
    """An operation over a websocket (a subscription), as it ends: no status, no latency
    (its length is the client's choice)."""
    outcome = "errors" if record.error_codes or record.payload_error_codes else "ok"
    REQUESTS.labels(record.operation_type or "none", record.root_field or "none", outcome).inc()
    for code in (*record.error_codes, *record.payload_error_codes):
        REFUSALS.labels(code).inc()


def _scrape_registry() -> CollectorRegistry:
    """The figures of every worker in multiprocess mode; else this process's own."""
    from prometheus_client import REGISTRY

    if not os.environ.get(MULTIPROCESS_DIR_VARIABLE):
        return REGISTRY
    registry = CollectorRegistry()
    prometheus_multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


async def _database_figures(engine: AsyncEngine) -> bytes:
    """Read fresh at each scrape, so they go in a registry of their own (not in files)."""
    registry = CollectorRegistry()
    by_status = Gauge(
        "connect_admin_outbox_messages",
        "Messages in the outbox by status (PENDING, SENT, FAILED).",
        ["status"],
        registry=registry,
    )
    oldest = Gauge(
        "connect_admin_outbox_oldest_due_seconds",
        "Age of the oldest pending message that is due, 0 when none is: mail is stuck "
        "when this keeps growing.",
        registry=registry,
    )
    now = datetime.now(UTC)
    figures = await outbox_figures(engine, now)
    for status, count in figures.by_status.items():
        by_status.labels(status).set(count)
    oldest.set(
        0 if figures.oldest_due_at is None else (now - figures.oldest_due_at).total_seconds()
    )
    locked = Gauge(
        "connect_admin_sign_in_lockouts",
        "Logins locked now for one client address, by account kind (ADMINISTRATOR, USER).",
        ["account_kind"],
        registry=registry,
    )
    recent = Gauge(
        "connect_admin_sign_in_lockouts_last_day",
        "Sign-in lockouts that began within the last 24 hours.",
        registry=registry,
    )
    lockouts = await lockout_figures(engine, now)
    for kind, count in lockouts.active.items():
        locked.labels(kind).set(count)
    recent.set(lockouts.last_day)
    return generate_latest(registry)


def metrics_endpoint(
    engine: AsyncEngine, outbox_every_seconds: float
) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint; it reads the outbox figures at most every ``outbox_every_seconds``:
    /metrics needs no token, and each read counts the whole outbox."""
    lock = asyncio.Lock()
    cached: list[tuple[float, bytes]] = []

    async def database_figures() -> bytes:
        async with lock:
            now = time.monotonic()
            if not cached or now - cached[0][0] >= outbox_every_seconds:
                cached[:] = [(now, await _database_figures(engine))]
            return cached[0][1]

    async def metrics(request: Request) -> Response:
        POOL_IN_USE.set(_checked_out(engine))
        body = generate_latest(_scrape_registry()) + await database_figures()
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return metrics


def record_pool(engine: AsyncEngine) -> None:
    POOL_IN_USE.set(_checked_out(engine))


def _checked_out(engine: AsyncEngine) -> int:
    checkedout = getattr(engine.pool, "checkedout", None)
    return int(checkedout()) if callable(checkedout) else 0

"""Traces (OpenTelemetry): off unless the standard ``OTEL_…`` environment variables ask
for them, as docs/operators/traces.md says.

When on, each HTTP request is a span (server/http/tracing.py) with, as children, the
cost check (gql/limits/), the budget, each database statement, each batch of a reset
and each mail the dispatcher sends. Every span carries the request's id. No attribute
holds a value a client sent (variables, passwords, tokens, addresses) or a secret:
statements go with their placeholders, never their parameters.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.trace import Status, StatusCode
from sqlalchemy import Engine, event
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.ports import Delivery, MailConnection, MailMessage, MailSender, SmtpSettings
from domain.ports.tracing import SpanAttributes
from gql.limits.budget import CostBudget, Grant
from server.settings import ConfigurationError

TRACER_NAME = "connect_admin"
SERVICE_NAME = "connect-admin"
REQUEST_ID_ATTRIBUTE = "connect_admin.request_id"
# The request's id, for every span started while it is served (set by the GraphQL view).
REQUEST_ID: ContextVar[str | None] = ContextVar("connect_admin_request_id", default=None)
# The exporters this server brings; OTEL_TRACES_EXPORTER names one (OpenTelemetry's own).
EXPORTERS = ("otlp",)
# Where a connection keeps the spans of its statements in flight.
SPANS = "connect_admin_spans"
# A statement's text in its span at most (an IN list of 10,000 placeholders is longer).
MAX_STATEMENT_CHARACTERS = 2000
ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")


class TracingConfigurationError(ConfigurationError):
    """OTEL_TRACES_EXPORTER names an exporter this server does not bring."""


def tracing_wanted(environ: Mapping[str, str] = os.environ) -> bool:
    """On when OTEL_TRACES_EXPORTER is ``otlp``, or an OTLP endpoint is set and
    OTEL_TRACES_EXPORTER does not say ``none``; OTEL_SDK_DISABLED=true turns it off."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter == "none":
        return False
    if exporter:
        unknown = [name for name in exporter.split(",") if name.strip() not in EXPORTERS]
        if unknown:
            raise TracingConfigurationError(
                f"OTEL_TRACES_EXPORTER={exporter}: this server exports traces by "
                f"{', '.join(EXPORTERS)} only (or none)"
            )
        return True
    return any(environ.get(name, "").strip() for name in ENDPOINT_VARIABLES)


def configure_tracing(environ: Mapping[str, str] = os.environ) -> bool:
    """Sets up OpenTelemetry's tracer provider for this process when the environment
    asks for traces (once per process); whether traces are on."""
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return True
    if not tracing_wanted(environ):
        return False
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # Resource.create reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
    provider = TracerProvider(resource=Resource.create({"service.name": SERVICE_NAME}))
    provider.add_span_processor(RequestIdProcessor())
    # The exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT, ….
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return True


def tracing_on() -> bool:
    """Whether this process records spans (a provider of the SDK is set)."""
    return isinstance(trace.get_tracer_provider(), TracerProvider)


class RequestIdProcessor(SpanProcessor):
    """Puts the request's id on every span that starts while the request is served."""

    def on_start(self, span: Span, parent_context: otel_context.Context | None = None) -> None:
        request_id = REQUEST_ID.get()
        if request_id is not None:
            span.set_attribute(REQUEST_ID_ATTRIBUTE, request_id)

    def on_end(self, span: ReadableSpan) -> None:
        pass


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER_NAME)


class OpenTelemetryTracer:
    """The domain's tracing port (domain/ports/tracing.py) on OpenTelemetry."""

    def span(self, name: str, attributes: SpanAttributes) -> AbstractContextManager[None]:
        return _span(name, attributes)


@contextmanager
def _span(name: str, attributes: SpanAttributes) -> Iterator[None]:
    with tracer().start_as_current_span(name, attributes=dict(attributes)):
        yield


def instrument_engine(engine: AsyncEngine) -> None:
    """A span per database statement: its operation and text (with placeholders, never
    the parameters), the database's kind, and whether it failed. Once per engine."""
    system = engine.dialect.name
    sync_engine = engine.sync_engine
    if sync_engine in _INSTRUMENTED:
        return
    _INSTRUMENTED.add(sync_engine)

    @event.listens_for(sync_engine, "before_cursor_execute")
    def _start(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        operation = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        span = tracer().start_span(
            f"db {operation}".strip(),
            kind=trace.SpanKind.CLIENT,
            attributes={
                "db.system.name": system,
                "db.operation.name": operation,
                "db.query.text": _shortened(statement),
            },
        )
        conn.info.setdefault(SPANS, []).append(span)

    @event.listens_for(sync_engine, "after_cursor_execute")
    def _end(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        spans: list[trace.Span] = conn.info.get(SPANS, [])
        if spans:
            spans.pop().end()

    @event.listens_for(sync_engine, "handle_error")
    def _failed(context: Any) -> None:
        connection = context.connection
        spans: list[trace.Span] = connection.info.get(SPANS, []) if connection else []
        if spans:
            span = spans.pop()
            span.set_status(Status(StatusCode.ERROR, type(context.original_exception).__name__))
            span.end()


def _shortened(statement: str) -> str:
    if len(statement) <= MAX_STATEMENT_CHARACTERS:
        return statement
    return statement[: MAX_STATEMENT_CHARACTERS - 1] + "…"


# The engines that have their statements traced already.
_INSTRUMENTED: weakref.WeakSet[Engine] = weakref.WeakSet()


class TracedCostBudget:
    """The budget (gql/limits/budget.py) with a span per payment: the cost and whether
    it was granted, never who pays."""

    def __init__(self, inner: CostBudget) -> None:
        self.inner = inner

    async def spend(self, caller: str, cost: int) -> Grant:
        with tracer().start_as_current_span("cost budget", attributes={"cost": cost}) as span:
            grant = await self.inner.spend(caller, cost)
            span.set_attribute("cost.granted", grant.granted)
            return grant

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class TracedMailSender:
    """The mail adapter with a span per message sent: its outcome and the server's reply
    code, never an address, a subject or the text."""

    def __init__(self, inner: MailSender) -> None:
        self.inner = inner

    def connect(self, smtp: SmtpSettings) -> AbstractAsyncContextManager[MailConnection]:
        return _TracedConnection(self.inner.connect(smtp))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def send(self, smtp: SmtpSettings, messages: Sequence[MailMessage]) -> list[Delivery]:
        attributes = {"mail.messages": len(messages)}
        with tracer().start_as_current_span("mail send", attributes=attributes) as span:
            deliveries = await self.inner.send(smtp, messages)
            span.set_attribute("mail.outcomes", [d.outcome.value for d in deliveries])
            return deliveries


class _TracedConnection:
    def __init__(self, inner: AbstractAsyncContextManager[MailConnection]) -> None:
        self.inner = inner

    async def __aenter__(self) -> MailConnection:
        return _TracedMessages(await self.inner.__aenter__())

    async def __aexit__(self, *exc: Any) -> bool | None:
        return await self.inner.__aexit__(*exc)


class _TracedMessages:
    def __init__(self, inner: MailConnection) -> None:
        self.inner = inner

    async def send(self, message: MailMessage) -> Delivery:
        with tracer().start_as_current_span("mail send") as span:
            delivery = await self.inner.send(message)
            span.set_attribute("mail.outcome", delivery.outcome.value)
            if delivery.reply_code is not None:
                span.set_attribute("mail.reply_code", delivery.reply_code)
            return delivery

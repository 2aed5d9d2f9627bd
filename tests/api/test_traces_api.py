"""Traces (OpenTelemetry) of a reset and of a users page, read from the SDK's in-memory
exporter: a span per request with the operation and its outcome; as its children the
cost check, the budget, the database statements and the reset's batches; the mail
dispatcher's sends; the request id on each; and no secret or personal data in any
attribute."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.principals import SYSTEM
from domain.services.administrators import NewAdministrator
from server.container import services_factory
from server.http.app import create_app
from server.settings import Settings
from server.tracing import REQUEST_ID_ATTRIBUTE, RequestIdProcessor, tracing_wanted
from tests.api.conftest import ADMIN_PASSWORD, Api
from tests.api.test_mail_api import (
    CONFIGURE,
    _field,
    dispatcher_services,
    gateway_input,
    user_with_mail,
)
from tests.smtp_server import SmtpServer

SECRET_KEY = "trace-test-secret-key"
USERS_PAGE = """
query UsersPage($first: Int!) {
  users(first: $first) { totalCount edges { node { login email } } }
}"""


class Recording(SpanProcessor):
    """Hands spans to the exporter while a test of this module runs: OpenTelemetry's
    tracer provider is set once per process, and other tests of the process need none."""

    def __init__(self, exporter: InMemorySpanExporter) -> None:
        self.on = False
        self.inner = SimpleSpanProcessor(exporter)

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        if self.on:
            self.inner.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        if self.on:
            self.inner.on_end(span)


EXPORTER = InMemorySpanExporter()
RECORDING = Recording(EXPORTER)


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        provider.add_span_processor(RequestIdProcessor())
        provider.add_span_processor(RECORDING)
        trace.set_tracer_provider(provider)
    EXPORTER.clear()
    RECORDING.on = True
    try:
        yield EXPORTER
    finally:
        RECORDING.on = False
        EXPORTER.clear()


@pytest.fixture
async def api(
    spans: InMemorySpanExporter, clean_database: AsyncEngine, database_url: str
) -> AsyncIterator[Api]:
    """The app with traces on and the cost budgets on, as a server runs by default."""
    settings = Settings(
        database_url=database_url,  # type: ignore[arg-type]
        secret_key=SECRET_KEY,  # type: ignore[arg-type]
        mail_dispatcher=False,
    )
    app = create_app(settings, engine=clean_database)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        yield Api(client, services_factory(clean_database, settings)(), settings.compiled_execution)


@pytest.fixture
async def admin_token(api: Api) -> str:
    await api.services.administrators.create_administrator(
        SYSTEM, NewAdministrator(login="root", password=ADMIN_PASSWORD, last_name="Root")
    )
    return await api.sign_in_admin("root")


def named(spans: Sequence[ReadableSpan], name: str) -> list[ReadableSpan]:
    return [span for span in spans if span.name == name]


def descendants(spans: Sequence[ReadableSpan], root: ReadableSpan) -> list[ReadableSpan]:
    assert root.context is not None
    found: list[ReadableSpan] = []
    parents = {root.context.span_id}
    for span in sorted(spans, key=lambda span: span.start_time or 0):
        if span.parent is not None and span.parent.span_id in parents:
            found.append(span)
            assert span.context is not None
            parents.add(span.context.span_id)
    return found


def attribute_values(spans: Sequence[ReadableSpan]) -> str:
    values: list[Any] = [value for span in spans for value in (span.attributes or {}).values()]
    return "\n".join([*(str(value) for value in values), *(span.name for span in spans)])


async def test_a_reset_is_traced_with_its_parts_and_no_secret(
    api: Api, admin_token: str, smtp_server: SmtpServer, spans: InMemorySpanExporter
) -> None:
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    anna = await user_with_mail(api, "anna")
    bert = await user_with_mail(api, "bert")
    EXPORTER.clear()

    response = await api.client.post(
        "/graphql",
        json={
            "query": "mutation Reset($ids: [ID!]!) { resetUsers(ids: $ids, options: "
            "{setRandomPassword: true}) { succeeded } }",
            "variables": {"ids": [anna, bert]},
        },
        headers={"Authorization": f"Bearer {admin_token}", "X-Request-Id": "reset-trace-1"},
    )
    assert response.json() == {"data": {"resetUsers": {"succeeded": 2}}, **_extensions(response)}
    assert await dispatcher_services(api).outbox.dispatch_due() == 2

    finished = spans.get_finished_spans()
    [request] = named(finished, "mutation Reset")
    attributes = dict(request.attributes or {})
    assert attributes["graphql.operation.name"] == "Reset"
    assert attributes["graphql.operation.type"] == "mutation"
    assert attributes["connect_admin.outcome"] == "ok"
    assert attributes["http.response.status_code"] == 200
    inside = descendants(finished, request)
    names = {span.name for span in inside}
    assert {"cost check", "cost budget", "reset batch", "db SELECT", "db INSERT"} <= names
    [batch] = named(inside, "reset batch")
    assert dict(batch.attributes or {})["reset.batch_users"] == 2
    assert any(span.parent == batch.context for span in named(inside, "db UPDATE"))
    # The request id on the request and on every span inside it.
    assert {
        dict(span.attributes or {}).get(REQUEST_ID_ATTRIBUTE) for span in [request, *inside]
    } == {"reset-trace-1"}
    # The dispatcher's sends, one span each with its outcome.
    sends = named(finished, "mail send")
    assert [dict(span.attributes or {})["mail.outcome"] for span in sends] == ["SENT", "SENT"]

    passwords = [_field(received.text, "New password") for received in smtp_server.received]
    secrets = [ADMIN_PASSWORD, admin_token, SECRET_KEY, *passwords]
    personal = ["anna@example.org", "bert@example.org", "Doe"]
    everything = attribute_values(finished)
    assert [text for text in secrets + personal if text in everything] == []


async def test_a_users_page_is_traced_with_its_statements(
    api: Api, admin_token: str, spans: InMemorySpanExporter
) -> None:
    await user_with_mail(api, "clara")
    EXPORTER.clear()

    data = await api.data(USERS_PAGE, {"first": 10}, token=admin_token)
    assert data["users"]["totalCount"] == 1

    finished = spans.get_finished_spans()
    [request] = named(finished, "query UsersPage")
    assert dict(request.attributes or {})["connect_admin.outcome"] == "ok"
    inside = descendants(finished, request)
    statements = [span for span in inside if span.name.startswith("db ")]
    assert statements, [span.name for span in inside]
    assert all(
        dict(span.attributes or {})["db.system.name"] in ("sqlite", "postgresql")
        for span in statements
    )
    assert named(inside, "cost check")
    assert named(inside, "cost budget")
    everything = attribute_values(finished)
    assert [text for text in [admin_token, "clara@example.org"] if text in everything] == []


async def test_a_failed_operation_says_so(api: Api, spans: InMemorySpanExporter) -> None:
    body = await api.post("query Page { users(first: 1) { totalCount } }")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    [request] = named(spans.get_finished_spans(), "query Page")
    attributes = dict(request.attributes or {})
    assert attributes["connect_admin.outcome"] == "errors"
    assert list(attributes["connect_admin.error_codes"]) == ["UNAUTHENTICATED"]  # type: ignore[arg-type]


async def test_a_request_with_a_traceparent_continues_that_trace(
    api: Api, spans: InMemorySpanExporter
) -> None:
    trace_id, parent_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    response = await api.client.post(
        "/graphql",
        json={"query": "query Page { __typename }"},
        headers={"traceparent": f"00-{trace_id}-{parent_id}-01"},
    )
    assert response.status_code == 200

    [request] = named(spans.get_finished_spans(), "query Page")
    assert request.context is not None
    assert request.parent is not None
    assert f"{request.context.trace_id:032x}" == trace_id
    assert f"{request.parent.span_id:016x}" == parent_id


@pytest.mark.parametrize(
    ("environ", "wanted"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, True),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, True),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://x"}, False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, False),
    ],
)
def test_traces_are_off_unless_the_environment_asks(environ: dict[str, str], wanted: bool) -> None:
    assert tracing_wanted(environ) is wanted


def _extensions(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    return {"extensions": body["extensions"]} if "extensions" in body else {}

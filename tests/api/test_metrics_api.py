"""``/metrics``: the counters an operator alerts on move with what the server does."""

from __future__ import annotations

from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.api.conftest import Api
from tests.api.test_mail_api import (
    CONFIGURE,
    dispatcher_services,
    gateway_input,
    reset_password,
    user_with_mail,
)
from tests.cli.serving import STARTED
from tests.cli.test_operations_cli import free_port, serve_two_workers
from tests.smtp_server import SmtpServer

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


async def scrape(api: Api) -> Samples:
    response = await api.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


async def test_a_reset_and_its_mail_move_the_counters(
    api: Api, admin_token: str, smtp_server: SmtpServer
) -> None:
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    anna = await user_with_mail(api)
    before = await scrape(api)

    await reset_password(api, admin_token, anna)
    queued = await scrape(api)
    await dispatcher_services(api).outbox.dispatch_due()
    await api.post("{ locations { id } }")  # no token: UNAUTHENTICATED
    after = await scrape(api)

    requests = "connect_admin_graphql_requests_total"
    reset = {"operation_type": "mutation", "operation": "resetUsers", "outcome": "ok"}
    assert value(after, requests, **reset) == value(before, requests, **reset) + 1
    actions = "connect_admin_reset_actions_total"
    done = {"action": "PASSWORD", "result": "done"}
    assert value(after, actions, **done) == value(before, actions, **done) + 1
    refusals = "connect_admin_refusals_total"
    code = {"code": "UNAUTHENTICATED"}
    assert value(after, refusals, **code) == value(before, refusals, **code) + 1
    latency = "connect_admin_graphql_request_duration_seconds_count"
    assert value(after, latency, operation_type="mutation") > value(
        before, latency, operation_type="mutation"
    )

    outbox = "connect_admin_outbox_messages"
    assert value(queued, outbox, status="PENDING") == 1
    assert value(after, outbox, status="PENDING") == 0
    assert value(after, outbox, status="SENT") == 1
    assert value(after, "connect_admin_outbox_oldest_due_seconds") == 0
    assert ("connect_admin_database_connections_in_use", frozenset()) in after


def test_several_workers_add_up_to_one_count(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    counts = set()
    server = serve_two_workers(tmp_path, port)
    try:
        server.wait_for(STARTED, count=2)
        # A new connection each: the kernel spreads connections over both workers.
        for _ in range(20):
            with httpx.Client(base_url=url, timeout=30) as client:
                client.post("/graphql", json={"query": "{ locations { id } }"})
        for _ in range(6):
            with httpx.Client(base_url=url, timeout=30) as client:
                found = samples(client.get("/metrics").text)
            labels = {"operation_type": "query", "operation": "locations", "outcome": "errors"}
            counts.add(value(found, "connect_admin_graphql_requests_total", **labels))
    finally:
        server.stop()
    # Whichever worker answered the scrape, it counted the other's requests too.
    assert counts == {20.0}


async def test_no_client_chosen_value_becomes_a_label(api: Api, admin_token: str) -> None:
    """Aliases could make any field look like a payload's ``errors { code }``."""
    await api.post("{ __schema { errors: types { code: description } } }")
    await api.post(
        'mutation { adminSignIn(login: "x", password: "y") { errors: errors { code: message } } }'
    )
    await api.post(
        'mutation { createApiToken(name: "crm") { errors: apiToken { code: name } } }',
        token=admin_token,
    )
    found = await scrape(api)
    codes = {
        dict(labels)["code"] for name, labels in found if name == "connect_admin_refusals_total"
    }
    assert all(code.isupper() or "_" in code for code in codes), codes
    assert "crm" not in codes

"""Operations through HTTP: the probes and the JSON access log."""

from __future__ import annotations

import gc
import json
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.principals import SYSTEM
from domain.services.administrators import NewAdministrator
from server.http.app import GC_YOUNG_THRESHOLD, create_app
from server.http.logs import ACCESS_LOGGER, JsonFormatter
from server.settings import Settings
from tests.api.conftest import Api

SIGN_IN = (
    "mutation SignIn($l: String!, $p: String!) { adminSignIn(login: $l, password: $p) "
    "{ token errors { code } } }"
)
OPERATOR_PASSWORD = "Operat0r-Secret!pw"


async def test_healthz_and_readyz_answer_200(api: Api) -> None:
    health = await api.client.get("/healthz")
    ready = await api.client.get("/readyz")

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ok"})


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port nobody listens on while the test runs: bound here, never listened on, so
    no other process (another pytest-xdist worker) can take it meanwhile."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_readyz_is_503_without_a_database_and_names_no_secret(
    backend: str, tmp_path: Path, closed_port: int
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'connect-admin.db'}"
    else:
        url = f"postgresql://operator:{OPERATOR_PASSWORD}@127.0.0.1:{closed_port}/connect"
    settings = Settings(database_url=url, secret_key="test-key", mail_dispatcher=False)  # type: ignore[arg-type]
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client,
    ):
        ready = await client.get("/readyz")
        health = await client.get("/healthz")

    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "unavailable"
    assert "unreachable" in body["reason"]
    for secret in (OPERATOR_PASSWORD, "operator", str(tmp_path)):
        assert secret not in ready.text
    # Liveness does not depend on the database.
    assert (health.status_code, health.json()) == (200, {"status": "ok"})


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    formatter = JsonFormatter()
    return [formatter.format(record) for record in caplog.records]


def _access(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    formatter = JsonFormatter()
    return [
        json.loads(formatter.format(record))
        for record in caplog.records
        if record.name == ACCESS_LOGGER
    ]


async def test_each_graphql_request_has_a_json_access_line_without_secrets(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    await api.services.administrators.create_administrator(
        SYSTEM,
        NewAdministrator(login="operator", password=OPERATOR_PASSWORD, last_name="Op"),
    )
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)

    signed_in = await api.data(SIGN_IN, {"l": "operator", "p": OPERATOR_PASSWORD})
    token = signed_in["adminSignIn"]["token"]
    refused = await api.data(SIGN_IN, {"l": "operator", "p": OPERATOR_PASSWORD + "x"})
    await api.data("query Locations { locations { name } }", token=token)
    anonymous = await api.post("query Locations { locations { name } }")

    assert refused["adminSignIn"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    sign_in, wrong, read, unauthenticated = _access(caplog)
    assert sign_in == sign_in | {
        "level": "INFO",
        "logger": ACCESS_LOGGER,
        "method": "POST",
        "path": "/graphql",
        "http_status": 200,
        "operation_name": "SignIn",
        "operation_type": "mutation",
        "principal": "anonymous",
        "outcome": "ok",
        "error_codes": [],
        "payload_error_codes": [],
        "compiled": False,
    }
    assert isinstance(sign_in["request_id"], str)
    assert sign_in["request_id"]
    assert isinstance(sign_in["duration_ms"], float)
    assert (wrong["outcome"], wrong["payload_error_codes"]) == ("errors", ["INVALID_CREDENTIALS"])
    assert read == read | {
        "operation_name": "Locations",
        "operation_type": "query",
        "principal": "operator",
        "principal_kind": "admin",
        "outcome": "ok",
        # A plain read: the compiled executor answered it, if it is on (gql/compiled/).
        "compiled": api.compiled,
    }
    assert unauthenticated == unauthenticated | {
        "principal": "anonymous",
        "outcome": "errors",
        "error_codes": ["UNAUTHENTICATED"],
    }
    logged = "\n".join(_lines(caplog))
    assert token not in logged
    assert OPERATOR_PASSWORD not in logged


async def test_the_access_line_keeps_the_clients_request_id(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)

    response = await api.client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"x-request-id": "req-42"}
    )

    assert response.headers["x-request-id"] == "req-42"
    [line] = _access(caplog)
    assert (line["request_id"], line["operation_name"], line["outcome"]) == ("req-42", None, "ok")


async def test_an_unexpected_error_is_one_json_line_with_the_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("connect_admin.gql")
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        logger.error("unexpected error", exc_info=error, extra={"request_id": "req-7"})

    [record] = [r for r in caplog.records if r.name == "connect_admin.gql"]
    formatted = JsonFormatter().format(record)
    assert "\n" not in formatted
    line = json.loads(formatted)
    assert (line["level"], line["request_id"]) == ("ERROR", "req-7")
    assert "RuntimeError: boom" in line["exception"]


async def test_a_server_process_freezes_its_start_up_heap(tmp_path: Path) -> None:
    """What `serve` builds (freeze_heap) keeps full garbage collections off the
    start-up heap; an app made for a test leaves the collector alone."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'connect-admin.db'}",  # type: ignore[arg-type]
        secret_key="test-key",  # type: ignore[arg-type]
        mail_dispatcher=False,
    )
    threshold = gc.get_threshold()
    try:
        plain = create_app(settings)
        async with plain.router.lifespan_context(plain):
            assert (gc.get_freeze_count(), gc.get_threshold()) == (0, threshold)
        served = create_app(settings, freeze_heap=True)
        async with served.router.lifespan_context(served):
            assert gc.get_freeze_count() > 0
            assert gc.get_threshold()[0] == GC_YOUNG_THRESHOLD
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)

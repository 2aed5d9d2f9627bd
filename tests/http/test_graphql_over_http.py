"""GraphQL over HTTP: graphql-http's audit (the npm package) against the running server.

It must report no error and no warning, including for clients that accept
``application/graphql-response+json``. Needs ``node`` and ``npm ci`` (which
scripts/test runs); skipped, saying why, without them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.http.server import running_server
from tests.needed import missing

ROOT = Path(__file__).resolve().parents[2]
AUDIT = Path(__file__).with_name("audit.mjs")


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("http")) as url:
        yield url


def test_the_graphql_over_http_audit_passes_without_errors_or_warnings(server_url: str) -> None:
    node = shutil.which("node")
    if node is None:
        missing("node is not installed: the graphql-http audit runs in Node")
    if not (ROOT / "node_modules" / "graphql-http" / "package.json").is_file():
        missing("node_modules/graphql-http is missing: run `npm ci` in the project folder")
    completed = subprocess.run(
        [node, str(AUDIT), server_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.stdout, completed.stderr
    summary = json.loads(completed.stdout)
    failures = [
        f"{kind} {audit['id']} {audit['name']}: {audit['reason']} ({audit['response']})"
        for kind in ("error", "warn")
        for audit in summary[kind]
    ]
    for failure in failures:
        print(failure)
    assert failures == []
    assert summary["ok"] > 50
    assert completed.returncode == 0, completed.stderr


def test_graphql_response_json_clients_get_400_without_data_on_a_parse_failure(
    server_url: str,
) -> None:
    response = httpx.post(
        server_url,
        json={"query": "{"},
        headers={"Accept": "application/graphql-response+json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["message"].startswith("Syntax Error")


def test_graphql_response_json_clients_get_400_without_data_on_a_validation_failure(
    server_url: str,
) -> None:
    response = httpx.post(
        server_url,
        json={"query": "{ noSuchField }"},
        headers={"Accept": "application/graphql-response+json"},
    )
    assert response.status_code == 400
    assert "data" not in response.json()


def test_json_clients_keep_getting_200_with_the_errors(server_url: str) -> None:
    for accept in ("application/json", None):
        headers = {"Accept": accept} if accept else {}
        response = httpx.post(server_url, json={"query": "{ noSuchField }"}, headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert body["data"] is None
        assert body["errors"]


def test_graphql_response_json_clients_get_200_for_a_good_query(server_url: str) -> None:
    response = httpx.post(
        server_url,
        json={"query": "{ __typename }"},
        headers={"Accept": "application/graphql-response+json, application/json;q=0.9"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    assert response.json()["data"] == {"__typename": "Query"}


def test_an_unauthenticated_operation_is_not_a_request_error(server_url: str) -> None:
    # It validated and reached the gate: data null, 200, under either media type.
    response = httpx.post(
        server_url,
        json={"query": "{ users(first: 1) { totalCount } }"},
        headers={"Accept": "application/graphql-response+json"},
    )
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_chunked_body_over_the_limit_is_refused_with_413(server_url: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"query": "{ __typename }", "padding": "'
        for _ in range(40):
            yield b"x" * 50_000
        yield b'"}'

    response = httpx.post(
        server_url, content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"

"""Request errors that the GraphQL spec calls for, each with its code, against a
running server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.http.server import running_server

TWO_OPERATIONS = "query A { __typename } query B { __typename }"
GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture(scope="module")
def graphql_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("codes")) as url:
        yield url


def codes(response: httpx.Response) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in response.json()["errors"]]


class TestSeveralOperations:
    def test_without_an_operation_name_is_a_request_error(self, graphql_url: str) -> None:
        response = httpx.post(
            graphql_url, json={"query": TWO_OPERATIONS}, headers={"Accept": GRAPHQL_RESPONSE}
        )
        assert response.status_code == 400
        assert "data" not in response.json()
        assert codes(response) == ["OPERATION_NAME_REQUIRED"]
        # Nothing ran, nothing was charged.
        assert "cost" not in response.json().get("extensions", {})

    def test_over_get_and_for_json_clients_too(self, graphql_url: str) -> None:
        response = httpx.get(graphql_url, params={"query": TWO_OPERATIONS})
        assert response.status_code == 200
        assert response.json().get("data") is None
        assert codes(response) == ["OPERATION_NAME_REQUIRED"]

    def test_with_an_operation_name_the_named_one_runs(self, graphql_url: str) -> None:
        response = httpx.post(
            graphql_url,
            json={"query": "query A { a: __typename } query B { b: __typename }",
                  "operationName": "B"},
        )  # fmt: skip
        assert response.json()["data"] == {"b": "Query"}

    def test_one_operation_needs_no_name(self, graphql_url: str) -> None:
        response = httpx.post(graphql_url, json={"query": "query Only { __typename }"})
        assert response.json()["data"] == {"__typename": "Query"}


class TestTokenLimit:
    def test_a_document_over_the_token_limit_has_its_code(self, graphql_url: str) -> None:
        query = "{ " + " ".join("__typename" for _ in range(2100)) + " }"
        response = httpx.post(
            graphql_url, json={"query": query}, headers={"Accept": GRAPHQL_RESPONSE}
        )
        assert response.status_code == 400
        [error] = response.json()["errors"]
        assert error["extensions"] == {"code": "TOO_MANY_TOKENS", "limit": 2000}

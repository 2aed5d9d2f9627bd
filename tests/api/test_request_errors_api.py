"""Every error has a code: a document that does not parse, one that does not fit the
schema, and a variable that does not fit its type each say so in extensions.code, and
the metrics count them (and label every valid document) by what they are."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Api
from tests.api.test_metrics_api import scrape, value

REQUESTS = "connect_admin_graphql_requests_total"
REFUSALS = "connect_admin_refusals_total"


async def errors_of(
    api: Api, query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> list[Any]:
    response = await api.client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"} if token else {},
    )
    body = response.json()
    errors: list[Any] = body["errors"]
    return errors


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{ users { ", None, "GRAPHQL_PARSE_FAILED"),
        ("{ users(first: ) { totalCount } }", None, "GRAPHQL_PARSE_FAILED"),
        ("{ noSuchField }", None, "GRAPHQL_VALIDATION_FAILED"),
        ("{ node { id } }", None, "GRAPHQL_VALIDATION_FAILED"),
        ("query($id: ID!) { node(id: $id) { id } }", {}, "BAD_USER_INPUT"),
        ("query($n: Int) { users(first: $n) { totalCount } }", {"n": "ten"}, "BAD_USER_INPUT"),
    ],
)
async def test_a_refused_document_says_why_in_its_code(
    api: Api, admin_token: str, query: str, variables: dict[str, Any] | None, code: str
) -> None:
    errors = await errors_of(api, query, variables, admin_token)

    assert [e["extensions"]["code"] for e in errors] == [code] * len(errors)


async def test_a_limit_keeps_its_own_code(api: Api) -> None:
    deep = "{ locations { " + "configurationGroups { location { " * 6 + "id" + " } }" * 6 + " } }"
    errors = await errors_of(api, deep)

    assert {e["extensions"]["code"] for e in errors} == {"QUERY_TOO_DEEP"}


async def test_the_metrics_count_refusals_by_their_code(api: Api) -> None:
    before = await scrape(api)
    await errors_of(api, "{ users { ")
    await errors_of(api, "{ noSuchField }")
    after = await scrape(api)

    for code in ("GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED"):
        assert value(after, REFUSALS, code=code) == value(before, REFUSALS, code=code) + 1
    assert value(after, REFUSALS, code="GRAPHQL_ERROR") == value(
        before, REFUSALS, code="GRAPHQL_ERROR"
    )


@pytest.mark.parametrize(
    ("query", "operation"),
    [
        ("{ __typename }", "__typename"),
        ("query Introspect { __schema { queryType { name } } }", "__schema"),
        ('{ __type(name: "User") { name } }', "__type"),
        ("{ ...Root } fragment Root on Query { __typename }", "__typename"),
    ],
)
async def test_a_valid_document_without_a_schema_field_has_its_operation_label(
    api: Api, admin_token: str, query: str, operation: str
) -> None:
    labels = {"operation_type": "query", "operation": operation, "outcome": "ok"}
    before = await scrape(api)
    await api.data(query, token=admin_token)
    after = await scrape(api)

    assert value(after, REQUESTS, **labels) == value(before, REQUESTS, **labels) + 1

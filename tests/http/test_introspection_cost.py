"""Introspection is costed by what it returns, and anonymous introspection has a
ceiling of its own, against a running server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from graphql import get_introspection_query, parse

from bench.hostile import INTROSPECTION_BOMB, executed_operations
from gql.limits.cost import operation_cost
from gql.limits.extensions import Limits
from gql.schema import build_schema
from tests.http.server import running_server

MUTATION_TYPE = '{ __type(name: "Mutation") { fields { name args { name type { name } } } } }'
SMALL_TYPE = '{ __type(name: "PageInfo") { fields { name args { name type { name } } } } }'


@pytest.fixture(scope="module")
def graphql_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("introspection")) as url:
        yield url


def executed(graphql_url: str) -> float:
    return executed_operations(httpx.get(graphql_url.removesuffix("graphql") + "metrics").text)


class TestCostedByWhatItReturns:
    def test_a_named_type_costs_by_its_own_lists(self, graphql_url: str) -> None:
        def cost(query: str) -> int:
            return int(httpx.post(graphql_url, json={"query": query}).headers["x-cost-requested"])

        big, small = cost(MUTATION_TYPE), cost(SMALL_TYPE)
        answer = httpx.post(graphql_url, json={"query": MUTATION_TYPE}).json()
        fields = answer["data"]["__type"]["fields"]
        values = sum(3 + 3 * len(f["args"]) for f in fields)  # each name, type and list
        # An upper estimate of the answer, never below it.
        assert big >= values
        assert big > 10 * small

    def test_the_alias_bomb_is_refused_before_it_runs(self, graphql_url: str) -> None:
        before = executed(graphql_url)
        response = httpx.post(graphql_url, json={"query": INTROSPECTION_BOMB})
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
        assert error["extensions"]["limit"] == 26_000
        assert "data" not in response.json() or response.json()["data"] is None
        assert executed(graphql_url) == before

    def test_graphiqls_introspection_fits_the_anonymous_ceiling(self, graphql_url: str) -> None:
        query = get_introspection_query(
            descriptions=True,
            specified_by_url=True,
            directive_is_repeatable=True,
            input_value_deprecation=True,
        )
        response = httpx.post(graphql_url, json={"query": query})
        assert "errors" not in response.json()
        assert int(response.headers["x-cost-requested"]) <= 26_000 / 1.2


def test_thirty_copies_cost_thirty_times_one() -> None:
    schema = build_schema(Limits())._schema

    one = operation_cost(schema, parse(MUTATION_TYPE), None, None, limit=10**9).points
    body = MUTATION_TYPE.removeprefix("{").removesuffix("}")
    thirty = "{ " + " ".join(f"a{i}: {body}" for i in range(30)) + " }"
    assert operation_cost(schema, parse(thirty), None, None, limit=10**9).points >= 30 * one

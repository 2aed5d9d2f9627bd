"""Schemathesis fuzzes every query and mutation of the GraphQL API.

One test per operation and mode (``-k changeMyPassword`` picks one). Each request
runs as the demo system administrator (self-service operations as a Connect Client
user, voicemail ones with an API token), so the resolvers really run.
Schemathesis's default GraphQL checks must hold: no 5xx, and every response a
well-formed GraphQL response (a JSON object, no error but the client's, no null
in a non-null field). Valid queries (positive) and queries that break the schema
(negative, to be refused cleanly) are sent; ``CONNECT_FUZZ_EXAMPLES`` sets the
examples per operation and mode. Generation is derandomized: every run sends the
same requests.
"""

from __future__ import annotations

from typing import Any

import graphql
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import CheckFunction
from schemathesis.specs.graphql.schemas import GraphQLSchema

from gql.limits import Limits
from gql.schema import build_schema
from tests.fuzz.conftest import Tokens, fuzz_examples


def _operation_labels() -> list[str]:
    built = graphql.build_schema(build_schema(Limits()).as_str())
    return [
        f"{root.name}.{field}"
        for root in (built.query_type, built.mutation_type)
        if root is not None
        for field in root.fields
    ]


EXCUSED_CODES = frozenset({"BAD_USER_INPUT", "QUERY_TOO_COSTLY"})


def _excused_checks(body: Any) -> list[CheckFunction]:
    """A valid query may still be refused for an argument the schema cannot judge (a
    cursor of another connection, ``first`` above the page size): BAD_USER_INPUT, the
    documented answer; or for asking too much at once: QUERY_TOO_COSTLY (nested lists
    of generated selections multiply). Only then is ``positive_data_acceptance`` left
    out."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors and all(
        isinstance(error, dict)
        and isinstance(error.get("extensions"), dict)
        and error["extensions"].get("code") in EXCUSED_CODES
        for error in errors
    ):
        return [schemathesis.checks.positive_data_acceptance]
    return []


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("label", _operation_labels())
def test_graphql_operation(
    label: str, mode: GenerationMode, fuzz_schema: GraphQLSchema, fuzz_tokens: Tokens
) -> None:
    operation = fuzz_schema.find_operation_by_label(label)
    assert operation is not None, f"{label} is not in the introspected schema"
    headers = fuzz_tokens.headers_for(label)

    @settings(
        max_examples=fuzz_examples(),
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case: Case) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, excluded_checks=_excused_checks(response.json()))

    fuzz()

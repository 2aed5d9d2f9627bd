"""The cost calculator (gql/limits/cost.py) on a small schema of its own.

One point per field of the answer, every alias and every fragment spread
counted, lists multiplied by their page (``first``, variables resolved) or
their size; counting stops above the limit.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import build_schema, parse

from gql.limits.cost import MUTATION_COST, Cost, operation_cost

SCHEMA = build_schema(
    """
    type Query {
      item: Item
      items: [Item!]!
      page(first: Int, after: String): ItemConnection!
    }
    type Mutation { resetUsers(ids: [ID!]!): ResetUsersPayload! }
    type ResetUsersPayload { results: [Item!]! succeeded: Int! }
    type ItemConnection { edges: [ItemEdge!]! totalCount: Int! }
    type ItemEdge { cursor: String! node: Item! }
    type Item {
      id: ID!
      name: String!
      parent: Item
      page(first: Int): ItemConnection!
    }
    """
)
DEFAULT_PAGE, MAX_PAGE = 20, 100


def cost(query: str, variables: dict[str, Any] | None = None, limit: int = 10**9) -> Cost:
    return operation_cost(
        SCHEMA,
        parse(query),
        None,
        variables,
        limit=limit,
        page_size=DEFAULT_PAGE,
        max_page_size=MAX_PAGE,
    )


def points(query: str, variables: dict[str, Any] | None = None) -> int:
    result = cost(query, variables)
    assert not result.over_limit
    return result.points


def test_every_field_of_the_answer_is_one_point() -> None:
    assert points("{ item { id name parent { id } } }") == 5
    assert points("{ __typename item { __typename } }") == 3


def test_every_alias_counts() -> None:
    assert points("{ a: item { id } b: item { id } c: item { x: id y: id } }") == 2 + 2 + 3


def test_fragments_count_as_expanded_wherever_they_are_spread() -> None:
    query = """
    { item { ...Both } other: item { ...Both parent { ...Name } } }
    fragment Both on Item { ...Name id }
    fragment Name on Item { name }
    """
    assert points(query) == (1 + 2) + (1 + 2 + 1 + 1)
    assert points("{ item { ... on Item { id name } ... { id } } }") == 1 + 3


def test_a_connection_counts_its_page_from_first() -> None:
    query = "{ page(first: 5) { totalCount edges { cursor node { id } } } }"
    assert points(query) == 1 + 1 + 1 + 5 * (1 + 1 + 1)


@pytest.mark.parametrize(
    ("query", "variables", "page"),
    [
        ("query($n: Int) { page(first: $n) { edges { cursor } } }", {"n": 7}, 7),
        ("query($n: Int = 9) { page(first: $n) { edges { cursor } } }", {}, 9),
        ("query($n: Int = 9) { page(first: $n) { edges { cursor } } }", {"n": 3}, 3),
        ("{ page { edges { cursor } } }", None, DEFAULT_PAGE),
        ("query($n: Int) { page(first: $n) { edges { cursor } } }", {"n": None}, DEFAULT_PAGE),
        # Above the page limit the resolver refuses it; it costs no more than the limit.
        ("{ page(first: 5000) { edges { cursor } } }", None, MAX_PAGE),
        # JSON's 100.0 is coerced to 100 by execution: it costs as much.
        ("query($n: Int) { page(first: $n) { edges { cursor } } }", {"n": 50.0}, 50),
        # A value execution refuses or coerces otherwise counts the most it may be.
        ("query($n: Int) { page(first: $n) { edges { cursor } } }", {"n": "7"}, MAX_PAGE),
        ("query($n: Int) { page(first: $n) { edges { cursor } } }", {"n": 2.5}, MAX_PAGE),
    ],
)
def test_first_is_taken_from_variables_defaults_and_the_page_size(
    query: str, variables: dict[str, Any] | None, page: int
) -> None:
    assert points(query, variables) == 1 + 1 + page


def test_nested_lists_multiply() -> None:
    query = "{ page(first: 10) { edges { node { page(first: 10) { edges { node { id } } } } } } }"
    inner = 1 + 1 + 10 * (1 + 1)  # page, edges, 10 x (node, id)
    assert points(query) == 1 + 1 + 10 * (1 + inner)


def test_a_list_without_a_page_counts_the_page_limit() -> None:
    assert points("{ items { id name } }") == 1 + MAX_PAGE * 2


def test_an_empty_page_still_counts_one_item() -> None:
    """So that every field looked at costs a point: nothing escapes the limit."""
    assert points("{ page(first: 0) { edges { node { id } } } }") == 1 + 1 + 2


def test_a_reset_counts_its_ids_and_its_results() -> None:
    query = "mutation($ids: [ID!]!) { resetUsers(ids: $ids) { succeeded results { id } } }"
    ids = [str(n) for n in range(7)]
    assert points(query, {"ids": ids}) == (1 + MUTATION_COST + 7) + 1 + (1 + 7)
    literal = 'mutation { resetUsers(ids: ["a", "b"]) { results { id } } }'
    assert points(literal) == (1 + MUTATION_COST + 2) + (1 + 2)


def test_counting_stops_just_above_the_limit() -> None:
    result = cost("{ " + " ".join(f"a{n}: items {{ id }}" for n in range(30)) + " }", limit=1000)
    assert result.over_limit
    assert 1000 < result.points <= 1000 + MAX_PAGE + 1


def test_a_fragment_bomb_is_counted_without_being_expanded() -> None:
    """Each fragment spreads the next one twice: 2^40 fields when expanded. Each
    fragment is counted once and its points reused; over the limit, counting stops
    at the first part that is over it."""
    levels = 40
    fragments = " ".join(
        f"fragment F{n} on Item {{ ...F{n + 1} ...F{n + 1} }}" for n in range(levels)
    )
    query = "{ item { ...F0 } } " + fragments + f" fragment F{levels} on Item {{ id }}"
    assert cost(query, limit=2**50) == Cost(1 + 2**40)
    refused = cost(query, limit=10_000)
    assert refused.over_limit
    assert 10_000 < refused.points <= 20_000  # F26, 2^14 fields: the first part over it


def test_a_fragment_spread_under_pages_of_different_sizes_counts_each() -> None:
    query = """
    { small: page(first: 2) { ...Edges } large: page(first: 50) { ...Edges } }
    fragment Edges on ItemConnection { edges { node { id } } }
    """
    assert points(query) == (1 + 1 + 2 * 2) + (1 + 1 + 50 * 2)


def test_fragment_cycles_are_not_followed() -> None:
    """Invalid (validation refuses it), but the cost comes first and must end."""
    query = """
    { item { ...A } }
    fragment A on Item { ...B ...B parent { ...A } }
    fragment B on Item { ...A ...A id }
    """
    result = cost(query, limit=10_000)
    assert not result.over_limit
    assert result.points == 1 + 2 + 1  # item; B's id twice; A's parent (its A not again)


def test_unknown_fields_count_one_point_each() -> None:
    assert points("{ item { nothing { deeper } id } }") == 3


def test_introspection_counts_this_schemas_lists() -> None:
    types = len(SCHEMA.type_map)
    assert points("{ __schema { types { name } } }") == 1 + 1 + types

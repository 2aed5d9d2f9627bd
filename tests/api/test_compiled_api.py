"""Compiled execution answers exactly as Strawberry does.

Every query here goes to two apps on the same database: the default one, where
the hot read queries are compiled (gql/compiled/), and one with
``compiled_execution`` off, where graphql-core executes everything. The
response bodies must be equal byte for byte (key order included), and the
compiled app must really have compiled what it can.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import strawberry
from graphql import parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strawberry.permission import BasePermission

from gql.compiled import Compiler
from tests.api.twin import VARIED_PAGES, Organisation, Twin

# A compiled attempt that fails unexpectedly is a bug, even though the standard
# executor then answers (and the bodies are equal).
pytestmark = pytest.mark.usefixtures("no_compiled_failures")

BENCH_PAGE = """
query Page($first: Int!, $after: String) {
  users(first: $first, after: $after) {
    edges { node { id login displayName email isVip location { id name }
      configurationGroup { id name } teams { id name } defaultRelationship } }
  }
}"""

EVERYTHING = """
query Everything($first: Int, $after: String, $filter: UserFilter) {
  __typename
  users(first: $first, after: $after, filter: $filter) {
    __typename
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor
      node {
        __typename
        ...Person
        ... on Node { nodeId: id }
        ... on User { blocked passwordChangeRequired voicemailPinState }
        location { ...Place }
        group: configurationGroup { id name description defaultRelationship
          clientSettings { key value } presenceSettings { key value } location { name } }
        teams { __typename id name description relationship }
        defaultRelationship
      }
    }
  }
}
fragment Person on User {
  id login firstName lastName displayName email workPhone mobilePhone isVip
}
fragment Place on Location {
  id name description defaultRelationship relationshipPolicy
  passwordPolicy { minLength maxLength requireUppercase requireLowercase requireDigit
    requireSymbol }
  clientSettings { key value } presenceSettings { key value }
  configurationGroups { id name }
}"""

LOCATIONS = """
{ locations { id name configurationGroups { id name defaultRelationship
    location { id name configurationGroups { name } } } } }"""


class TestCompiledAnswersEqualStandard:
    async def test_the_benchmark_page_every_page(
        self, twin: Twin, organisation: Organisation
    ) -> None:
        query = BENCH_PAGE.replace("edges {", "pageInfo { endCursor hasNextPage } edges {")
        after = None
        pages = 0
        while True:
            body, compiled = await twin.both(
                query, {"first": 7, "after": after}, token=organisation.admin
            )
            assert compiled
            page = json.loads(body)["data"]["users"]
            pages += 1
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert pages == 5

    @pytest.mark.parametrize("variables", VARIED_PAGES)
    async def test_every_compiled_field_with_fragments_and_aliases(
        self, twin: Twin, organisation: Organisation, variables: dict[str, Any]
    ) -> None:
        variables = organisation.with_ids(variables)
        body, compiled = await twin.both(EVERYTHING, variables, token=organisation.admin)
        assert compiled
        assert b'"errors"' not in body

    async def test_locations_and_their_groups(self, twin: Twin, organisation: Organisation) -> None:
        body, compiled = await twin.both(LOCATIONS, token=organisation.admin)
        assert compiled
        assert b"Sales" in body

    async def test_a_sub_administrator_sees_only_its_locations(
        self, twin: Twin, organisation: Organisation
    ) -> None:
        body, compiled = await twin.both(EVERYTHING, {"first": 50}, token=organisation.sub_admin)
        assert compiled
        assert b"Munich" in body
        assert b"Berlin" not in body

    async def test_the_same_field_twice_merges(
        self, twin: Twin, organisation: Organisation
    ) -> None:
        query = (
            "{ users(first: 3) { edges { node { login } } edges { node { email login "
            "location { id } } } edges { node { location { name } } } } }"
        )
        body, compiled = await twin.both(query, token=organisation.admin)
        assert compiled
        assert body.count(b'"login"') == 3


class TestWhatIsNotCompiledStillAnswers:
    @pytest.mark.parametrize(
        ("query", "variables"),
        [
            # A client error raised while compiled: the standard executor reports it.
            (BENCH_PAGE, {"first": 5, "after": "not-a-cursor"}),
            (BENCH_PAGE, {"first": 101}),
            # Variables that do not coerce.
            (BENCH_PAGE, {"first": "many"}),
            # Fields without a bulk twin, directives, abstract types, arguments below the root.
            ("{ users(first: 2) { edges { node { login relationships { level } } } } }", {}),
            (
                "query($x: Boolean!) { users { edges { node { login @include(if: $x) } } } }",
                {"x": True},
            ),
            ("{ users { edges { node { login email @include(if: false) } } } }", {}),
            (
                "{ users { edges { node { login ...F @skip(if: true) } } } } "
                "fragment F on User { email }",
                {},
            ),
            ('{ node(id: "VXNlcjox") { id } }', {}),
            ("{ locations { users(first: 1) { totalCount } } }", {}),
            ("{ __schema { queryType { name } } }", {}),
            ("{ me { login } users { totalCount } }", {}),
            ('mutation { adminSignIn(login: "x", password: "y") { token } }', {}),
        ],
    )
    async def test_same_answer(
        self, twin: Twin, organisation: Organisation, query: str, variables: dict[str, Any]
    ) -> None:
        _, compiled = await twin.both(query, variables, token=organisation.admin)
        assert not compiled

    async def test_a_connect_client_user_is_refused_the_same(
        self, twin: Twin, organisation: Organisation
    ) -> None:
        body, compiled = await twin.both(BENCH_PAGE, {"first": 5}, token=organisation.user)
        assert b"FORBIDDEN" in body
        assert not compiled


class Deny(BasePermission):
    message = "denied"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


# Schemas of their own, at module level: Strawberry resolves annotations there.
@strawberry.type(name="User")
class GuardedUser:
    login: str

    @strawberry.field(permission_classes=[Deny])
    def teams(self) -> list[str]:
        return []


@strawberry.type(name="Query")
class GuardedQuery:
    @strawberry.field
    def users(self) -> list[GuardedUser]:
        return []


@strawberry.type(name="Query")
class OrderedQuery:
    @strawberry.field
    def locations(self, order: str | None = None) -> list[str]:
        return []


def test_a_twinned_field_that_gains_a_permission_is_not_compiled() -> None:
    """A bulk twin answers for its resolver only: a permission added to the field
    later must not be passed by."""
    compiler = Compiler(strawberry.Schema(query=GuardedQuery))
    plain, guarded = "{ users { login } }", "{ users { login teams } }"
    assert compiler.plan(plain, parse(plain), None) is not None
    assert compiler.plan(guarded, parse(guarded), None) is None


def test_an_argument_the_twin_does_not_know_is_not_compiled() -> None:
    compiler = Compiler(strawberry.Schema(query=OrderedQuery))
    query = "{ locations }"
    assert compiler.plan(query, parse(query), None) is None


USER_FIELDS = [
    "id", "login", "firstName", "lastName", "displayName", "email", "workPhone", "mobilePhone",
    "isVip", "blocked", "passwordChangeRequired", "voicemailPinState", "defaultRelationship",
    "__typename", "location { name id }", "configurationGroup { location { name } name }",
    "teams { name id relationship }",
]  # fmt: skip


@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    selection=st.lists(
        st.tuples(st.sampled_from(USER_FIELDS), st.sampled_from(["", "a", "b"])),
        min_size=1,
        max_size=8,
    ),
    first=st.integers(min_value=0, max_value=40),
)
async def test_any_selection_of_compiled_user_fields(
    twin: Twin, organisation: Organisation, selection: list[tuple[str, str]], first: int
) -> None:
    fields = []
    for field, alias in selection:
        name = field.split(" ", 1)[0]
        # Aliases may not give two different fields one key: keep those apart.
        fields.append(f"{alias}{name.strip('_')}: {field}" if alias else field)
    query = f"{{ users(first: {first}) {{ edges {{ node {{ {' '.join(fields)} }} }} }} }}"
    body, compiled = await twin.both(query, token=organisation.admin)
    if b'"errors"' not in body:
        assert compiled

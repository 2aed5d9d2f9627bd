"""The users page as one document written by the database (gql/compiled/documents.py).

On PostgreSQL and SQLite a users page whose every field has a source in the
document's vocabulary is answered by one statement, byte for byte as graphql-core
answers it; for any field beyond the vocabulary, the compiled executor reads level
by level as before.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from graphql import parse
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.ports import MAX_DOCUMENT_FIELDS, DocumentField, DocumentShape
from domain.principals import SYSTEM
from domain.services.paging import PageRequest
from domain.services.users import UserFilter
from gql.compiled import Compiler, compiler_of
from gql.compiled.documents import users_document_shape
from gql.ids import pk_of
from gql.limits import Limits
from gql.schema import build_schema
from persistence.tables import locations, team_members, teams, users
from persistence.unit_of_work import SqlAlchemyUnitOfWork
from tests.api.conftest import Api
from tests.api.twin import VARIED_PAGES, Organisation, Twin

pytestmark = pytest.mark.usefixtures("no_compiled_failures")

# Every field of the document's vocabulary, with fragments, aliases and __typename.
DOCUMENT = """
query Document($first: Int, $after: String, $filter: UserFilter) {
  users(first: $first, after: $after, filter: $filter) {
    __typename
    totalCount
    pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      __typename
      cursor
      node {
        __typename
        ...Person
        ... on User { blocked passwordChangeRequired voicemailPinState }
        location { ...Place }
        group: configurationGroup { __typename id name description defaultRelationship
          location { name } }
        teams { __typename id name description relationship }
        level: defaultRelationship
      }
    }
  }
}
fragment Person on User {
  id login firstName lastName displayName email workPhone mobilePhone isVip
}
fragment Place on Location { __typename id name description defaultRelationship
  relationshipPolicy }"""


@pytest.mark.parametrize(
    "variables", [*VARIED_PAGES, {"first": 7}, {"filter": {"search": "first1"}}]
)
async def test_a_document_answers_as_graphql_core_does(
    twin: Twin, organisation: Organisation, variables: dict[str, Any]
) -> None:
    variables = organisation.with_ids(variables)
    before = twin.compiler.documents
    body, compiled = await twin.both(DOCUMENT, variables, token=organisation.admin)
    assert compiled
    assert b'"errors"' not in body
    assert twin.compiler.documents == before + 1


async def test_every_page_in_turn(twin: Twin, organisation: Organisation) -> None:
    after, logins = None, []
    before = twin.compiler.documents
    while True:
        body, compiled = await twin.both(
            DOCUMENT, {"first": 8, "after": after}, token=organisation.admin
        )
        assert compiled
        page = json.loads(body)["data"]["users"]
        logins += [edge["node"]["login"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert logins == [f"user{n:02}" for n in range(30)]
    pages = 4
    assert twin.compiler.documents == before + pages


async def test_the_same_lists_twice_under_other_names(
    twin: Twin, organisation: Organisation
) -> None:
    query = (
        "{ users(first: 6) { a: edges { node { login teams { name } mine: teams { id } } } "
        "b: edges { cursor node { teams { relationship } } } } }"
    )
    before = twin.compiler.documents
    body, compiled = await twin.both(query, token=organisation.admin)
    assert compiled
    assert body.count(b'"teams"') == 12
    assert twin.compiler.documents == before + 1


async def test_a_sub_administrator_reads_only_its_locations(
    twin: Twin, organisation: Organisation
) -> None:
    before = twin.compiler.documents
    body, compiled = await twin.both(DOCUMENT, {"first": 50}, token=organisation.sub_admin)
    assert compiled
    assert twin.compiler.documents == before + 1
    assert b"Munich" in body
    assert b"Berlin" not in body


# Quotes, a backslash, control characters, non-ASCII, U+2028 and one beyond the BMP:
# each database escapes its own way, the answers must still be equal.
ODD_TEXT = 'Zürich "HQ" \\ \t\n\x01\x1f\x7f é \u2028 \U0001f600'


async def test_lists_keep_their_order_and_texts_their_characters(
    twin: Twin, organisation: Organisation, engine: AsyncEngine
) -> None:
    """Teams by name then id, whatever order they were made in; edges by user."""
    # SQLite keeps a NUL inside a text, PostgreSQL refuses one.
    odd = ODD_TEXT + ("\x00" if engine.dialect.name == "sqlite" else "")
    names = ["Zulu", "Alpha", "Mike", "Alpha", "alpha", "Ärger"]
    async with engine.begin() as conn:
        member = (await conn.execute(select(users.c.id).where(users.c.login == "user03"))).scalar()
        made = []
        for name in names:
            values = {"name": name, "description": odd, "relationship": "TEAM_COLLEAGUE"}
            made.append((await conn.execute(teams.insert().values(values))).inserted_primary_key[0])
        await conn.execute(team_members.insert(), [{"team_id": t, "user_id": member} for t in made])
        await conn.execute(update(locations).values(description=odd))
        await conn.execute(update(users).where(users.c.id == member).values(first_name=odd))
    before = twin.compiler.documents
    body, compiled = await twin.both(DOCUMENT, {"first": 30}, token=organisation.admin)
    assert compiled
    assert twin.compiler.documents == before + 1
    edges = json.loads(body)["data"]["users"]["edges"]
    assert [edge["node"]["login"] for edge in edges] == [f"user{n:02}" for n in range(30)]
    node = next(edge["node"] for edge in edges if edge["node"]["login"] == "user03")
    assert node["firstName"] == odd
    # The database's own order of names (its collation), then ids.
    async with engine.connect() as conn:
        ordered = await conn.execute(
            select(teams.c.name, teams.c.id)
            .join(team_members, team_members.c.team_id == teams.c.id)
            .where(team_members.c.user_id == member)
            .order_by(teams.c.name, teams.c.id)
        )
        expected = [tuple(row) for row in ordered]
    listed = [(team["name"], pk_of(team["id"], "Team")) for team in node["teams"]]
    assert listed == expected
    assert [pk for name, pk in listed if name == "Alpha"] == [made[1], made[3]]
    assert node["location"]["description"] == odd


@pytest.mark.parametrize(
    "selection",
    [
        "login clientSettings { key }",
        "login location { configurationGroups { name } }",
        "login teams { members { login } }",
        "login location { passwordPolicy { minLength } }",
    ],
)
async def test_a_field_beyond_the_document_is_read_level_by_level(
    twin: Twin, organisation: Organisation, selection: str
) -> None:
    before = twin.compiler.documents
    query = f"{{ users(first: 10) {{ edges {{ node {{ {selection} }} }} }} }}"
    await twin.both(query, token=organisation.admin)
    assert twin.compiler.documents == before


async def test_a_page_is_one_statement(
    twin: Twin, organisation: Organisation, count_statements: Any
) -> None:
    variables = {"first": 20, "filter": {"search": "user"}}
    await twin.both(DOCUMENT, variables, token=organisation.admin)
    with count_statements() as counter:
        data = await twin.compiling.post(
            "/graphql",
            json={"query": DOCUMENT, "variables": variables},
            headers={"Authorization": f"Bearer {organisation.admin}"},
        )
    assert len(data.json()["data"]["users"]["edges"]) == 20
    # The caller's session, then the page.
    assert counter.count == 2


def test_the_shape_names_each_key_and_its_source() -> None:
    compiler = compiler_of(build_schema(Limits()))
    assert isinstance(compiler, Compiler)
    query = "{ users { total: totalCount edges { node { __typename vip: isVip } } } }"
    plan = compiler.plan(query, parse(query), None)
    assert plan is not None
    user = DocumentShape("user", "User", (
        DocumentField("__typename", "__typename"), DocumentField("vip", "is_vip"),
    ))  # fmt: skip
    edge = DocumentShape("edge", "UserEdge", (DocumentField("node", "node", user),))
    assert users_document_shape(plan) == DocumentShape(
        "page",
        "UserConnection",
        (DocumentField("total", "total_count"), DocumentField("edges", "edges", edge)),
    )
    beyond = "{ users { edges { node { login relationships { level } } } } }"
    assert compiler.plan(beyond, parse(beyond), None) is None
    two_roots = "{ users { totalCount } locations { id } }"
    plan = compiler.plan(two_roots, parse(two_roots), None)
    assert plan is not None
    assert users_document_shape(plan) is None


def test_an_object_of_more_fields_than_a_document_holds_is_read_as_entities() -> None:
    compiler = compiler_of(build_schema(Limits()))
    assert isinstance(compiler, Compiler)
    fields = " ".join(f"f{n}: login" for n in range(MAX_DOCUMENT_FIELDS + 1))
    query = f"{{ users {{ edges {{ node {{ {fields} }} }} }} }}"
    plan = compiler.plan(query, parse(query), None)
    assert plan is not None
    assert users_document_shape(plan) is None


async def test_a_store_that_writes_no_documents_is_not_asked(
    api: Api, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the store writes no documents, asking costs nothing: no connection is
    taken for it."""
    monkeypatch.setattr(SqlAlchemyUnitOfWork, "writes_documents", False)
    checkouts: list[object] = []
    listener = lambda *args: checkouts.append(args)  # noqa: E731
    event.listen(engine.sync_engine, "checkout", listener)
    try:
        shape = DocumentShape("page", "UserConnection", (DocumentField("total", "total_count"),))
        found = await api.services.users.users_page_document(
            SYSTEM, PageRequest(first=10), UserFilter(), shape
        )
    finally:
        event.remove(engine.sync_engine, "checkout", listener)
    assert found is None
    assert checkouts == []

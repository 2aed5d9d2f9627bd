"""Random read requests, compiled and standard path, three callers: the same bytes.

Each request (tests/api/random_queries.py: fragments, inline fragments on
``Node``, aliases, directives, bad cursors and IDs, several operations in one
document, GET and ``application/graphql-response+json``) goes from a system
administrator, a sub-administrator and a Connect Client user to the app that
compiles (gql/compiled/) and to the one that does not, on the same database.
The answers must be equal byte for byte (status and media type too), never a
5xx, and a second send of the same request must give the same bytes again.

A user's run sends the same hundred requests per backend every time (fixed
seeds), each from three callers; ``--long`` sends thousands; CI a thousand from
a fresh seed each run (tests/api/fuzz_sample.py: the header of the test report
shows the seed). A failure names the request, its number, the seed, the caller
and how to replay it.
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass

import httpx
import pytest
from graphql import GraphQLError, parse

from gql.compiled import Compiler
from gql.ids import to_cursor, to_global_id
from gql.limits import Limits
from gql.schema import build_schema
from tests.api.conftest import Api
from tests.api.fuzz_sample import sample
from tests.api.random_queries import QueryGenerator, RandomRequest, Values
from tests.api.twin import REQUEST_ID, Organisation, Twin, in_order


@dataclass
class Answer:
    status: int
    media_type: str
    body: bytes

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Answer):
            return NotImplemented
        mine, theirs = (self.status, self.media_type), (other.status, other.media_type)
        return mine == theirs and in_order(self.body) == in_order(other.body)

    def __str__(self) -> str:
        return f"{self.status} {self.media_type}\n{self.body[:2000]!r}"


async def _send(client: httpx.AsyncClient, request: RandomRequest, token: str) -> Answer:
    method, target, headers, body = request.http()
    headers = {**headers, "Authorization": f"Bearer {token}", "X-Request-ID": REQUEST_ID}
    response = await client.request(method, target, headers=headers, content=body)
    return Answer(response.status_code, response.headers.get("content-type", ""), response.content)


@pytest.fixture
async def values(api: Api, organisation: Organisation) -> Values:
    """More to read (data sources, contacts, relationships, an API token), and the
    IDs and cursors the requests draw from."""
    admin, user = organisation.admin, organisation.user
    created = await api.data(
        'mutation { a: createDirectoryDataSource(name: "LDAP") { directoryDataSource { id } }'
        ' b: createDirectoryDataSource(name: "Old CRM") { directoryDataSource { id } }'
        ' createApiToken(name: "integration") { token } }',
        token=admin,
    )
    old = created["b"]["directoryDataSource"]["id"]
    ldap = created["a"]["directoryDataSource"]["id"]
    everything = await api.data(
        "{ locations { id configurationGroups { id } } teams { id } administrators { id }"
        " apiTokens { id } users(first: 100) { edges { cursor node { id login } } }"
        " auditEvents(first: 3) { edges { cursor node { id } } } }",
        token=admin,
    )
    users = {e["node"]["login"]: e["node"]["id"] for e in everything["users"]["edges"]}
    for contact in (
        {"dataSourceId": ldap, "externalId": "cn=a", "displayName": "A from LDAP"},
        {"dataSourceId": old, "externalId": "42", "displayName": "B from the CRM"},
        {"userId": users["user02"]},
    ):
        await api.data(
            "mutation($i: AddMyContactInput!) { addMyContact(input: $i) { errors { code } } }",
            {"i": contact},
            token=user,
        )
    await api.data(
        "mutation($t: ID!) { setMyRelationship(targetUserId: $t, level: ASSISTANT) "
        "{ errors { code } } }",
        {"t": users["user04"]},
        token=user,
    )
    await api.data(
        "mutation($s: ID!) { setDirectoryDataSourceActive(id: $s, active: false) "
        "{ errors { code } } }",
        {"s": old},
        token=admin,
    )
    ids = sorted(
        {
            *(loc["id"] for loc in everything["locations"]),
            *(g["id"] for loc in everything["locations"] for g in loc["configurationGroups"]),
            *(t["id"] for t in everything["teams"]),
            *(a["id"] for a in everything["administrators"]),
            *(t["id"] for t in everything["apiTokens"]),
            *(e["node"]["id"] for e in everything["auditEvents"]["edges"]),
            *list(users.values())[:: len(users) // 6],
            ldap,
            old,
        }
    )
    # Missing, of a type without nodes, malformed.
    ids += [to_global_id("User", 999_999), to_global_id("Contact", 1), "x", "", "VXNlcjo"]
    cursors = [
        *(e["cursor"] for e in everything["users"]["edges"][::7]),
        *(e["cursor"] for e in everything["auditEvents"]["edges"]),
        to_cursor(999_999),
        "x",
        "",
    ]
    return Values(ids=ids, cursors=cursors)


@pytest.mark.usefixtures("no_compiled_failures")
async def test_random_requests_answer_the_same_on_both_paths(
    twin: Twin,
    organisation: Organisation,
    values: Values,
    database_url: str,
    pytestconfig: pytest.Config,
) -> None:
    chosen = sample(pytestconfig)
    count = chosen.requests
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    seed = chosen.seed_for(backend)
    schema = build_schema(Limits())
    compiler = Compiler(schema)

    def compiles(query: str, operation_name: str | None) -> bool:
        try:
            document = parse(query)
        except GraphQLError:
            return False
        return compiler.plan(query, document, operation_name) is not None

    generator = QueryGenerator(schema._schema, values, random.Random(seed), compiles)
    callers = {
        "system administrator": organisation.admin,
        "sub-administrator": organisation.sub_admin,
        "user": organisation.user,
    }
    compiled_before = twin.compiler.compiled
    for number in range(count):
        request = generator.request()
        for caller, token in callers.items():
            where = (
                f"request {number} (seed {seed}) as {caller}: {request}\nreplay: {chosen.replay()}"
            )
            # The second send alternates between the paths.
            again_to = twin.compiling if number % 2 else twin.standard
            try:
                compiled = await _send(twin.compiling, request, token)
                standard = await _send(twin.standard, request, token)
                again = await _send(again_to, request, token)
            except (Exception, asyncio.CancelledError) as error:
                # What a real server would answer with a 500.
                raise AssertionError(f"{where}\nthe app raised {error!r}") from error
            assert compiled.status < 500, f"{where}\n{compiled}"
            assert standard.status < 500, f"{where}\n{standard}"
            assert compiled == standard, f"{where}\ncompiled: {compiled}\nstandard: {standard}"
            assert again == compiled, f"{where}\nfirst: {compiled}\nsecond: {again}"
            assert isinstance(json.loads(compiled.body), dict), where
    # The requests reach the compiled executor, not only its fallback.
    assert twin.compiler.compiled - compiled_before >= count // 5

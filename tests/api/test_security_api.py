"""What graphql-cop and friends probe, each with the refusal we expect.

Query limits (depth, aliases, directives, tokens), no batching, mutations only
over POST with a JSON or GraphQL media type, no field suggestions without
introspection, no tracing, the body size limit, and CORS for the configured
origins only. Through httpx's ASGITransport; the chunked-body case, which
needs a socket, is in tests/http.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query

from gql.limits import Limits, operation_depths
from persistence.migrate import upgrade
from server.http.app import create_app
from server.settings import Settings

ClientFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]

SPA = "https://admin.example"
FOREIGN = "https://evil.example"
SIGN_IN = 'mutation { adminSignIn(login: "root", password: "x") { token } }'
# graphql-cop's circular introspection query.
CIRCULAR_INTROSPECTION = (
    "query { __schema { types { fields { type { fields { type { fields "
    "{ type { fields { type { name } } } } } } } } } } }"
)


@pytest.fixture(scope="module")
def database_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('security') / 'connect-admin.db'}"
    upgrade(url)
    return url


@pytest.fixture
def connect(database_file: str) -> ClientFactory:
    @asynccontextmanager
    async def client(**settings: Any) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(
            Settings(
                database_url=database_file,
                secret_key="test-key",  # type: ignore[arg-type]
                mail_dispatcher=False,
                **settings,
            )
        )
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver"
            ) as http,
        ):
            yield http

    return client


async def post(client: httpx.AsyncClient, query: str, **kwargs: Any) -> httpx.Response:
    return await client.post("/graphql", json={"query": query}, **kwargs)


def only_error(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert body.get("data") is None, body
    assert len(body["errors"]) == 1, body["errors"]
    error: dict[str, Any] = body["errors"][0]
    return error


def nested(depth: int, field: str = "a") -> str:
    return "{ " + f"{field} {{ " * (depth - 1) + field + " }" * depth


# --- query limits ------------------------------------------------------------------


async def test_alias_overloading_is_refused(connect: ClientFactory) -> None:
    async with connect() as client:
        allowed = await post(client, "{ " + " ".join(f"a{i}: __typename" for i in range(30)) + " }")
        refused = await post(client, "{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }")
    assert allowed.json()["data"]["a29"] == "Query"
    error = only_error(refused)
    assert error["extensions"] == {"code": "TOO_MANY_ALIASES", "limit": 30}
    assert "31 aliases" in error["message"]


async def test_an_aliased_mutation_over_the_limit_runs_not_even_once(
    connect: ClientFactory,
) -> None:
    query = (
        "mutation { "
        + " ".join(
            f'a{i}: adminSignIn(login: "root", password: "x") {{ token }}' for i in range(31)
        )
        + " }"
    )
    async with connect() as client:
        response = await post(client, query)
    assert only_error(response)["extensions"]["code"] == "TOO_MANY_ALIASES"


async def test_a_query_deeper_than_the_limit_is_refused_before_validation(
    connect: ClientFactory,
) -> None:
    async with connect() as client:
        refused = await post(client, nested(11))
        within = await post(client, nested(10))
    error = only_error(refused)
    assert error["extensions"] == {"code": "QUERY_TOO_DEEP", "limit": 10}
    # Depth 10 passes the limit and fails ordinary validation instead (no field `a`).
    assert within.json()["errors"][0].get("extensions", {}).get("code") != "QUERY_TOO_DEEP"


async def test_depth_counts_through_fragments(connect: ClientFactory) -> None:
    query = (
        "query Deep { a { ...F1 } } "
        "fragment F1 on Query { a { a { a { ...F2 } } } } "
        "fragment F2 on Query { a { a { a { a { a { a { a } } } } } } }"  # 1 + 3 + 7
    )
    async with connect() as client:
        response = await post(client, query)
    assert only_error(response)["extensions"]["code"] == "QUERY_TOO_DEEP"


def test_depth_survives_a_long_fragment_chain() -> None:
    from graphql import parse

    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(2000))
    document = parse("{ ...F0 } " + chain + " fragment F2000 on Query { a { b } }")
    assert operation_depths(document) == {"anonymous": 2}


async def test_circular_introspection_is_refused_by_depth(connect: ClientFactory) -> None:
    async with connect() as client:
        response = await post(client, CIRCULAR_INTROSPECTION)
    assert only_error(response)["extensions"]["code"] == "QUERY_TOO_DEEP"


async def test_graphiqls_introspection_query_stays_within_the_limits(
    connect: ClientFactory,
) -> None:
    query = get_introspection_query(
        descriptions=True, specified_by_url=True, input_value_deprecation=True
    )
    async with connect() as client:
        response = await post(client, query)
    body = response.json()
    assert "errors" not in body, body["errors"]
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_directive_overloading_is_refused(connect: ClientFactory) -> None:
    async with connect() as client:
        response = await post(client, "query { __typename " + "@aa" * 51 + " }")
    error = only_error(response)
    assert error["extensions"] == {"code": "TOO_MANY_DIRECTIVES", "limit": 50}


async def test_too_many_tokens_are_refused_by_the_parser(connect: ClientFactory) -> None:
    async with connect() as client:
        response = await post(client, "{ " + "__typename " * 2100 + "}")
    error = only_error(response)
    assert "more than 2000 tokens" in error["message"]


async def test_the_limits_follow_the_settings(connect: ClientFactory) -> None:
    async with connect(max_query_depth=3, max_aliases=1, max_directives=1) as client:
        deep = await post(client, nested(4))
        aliases = await post(client, "{ a: __typename b: __typename }")
        directives = await post(client, "{ __typename @skip(if: false) @include(if: true) }")
    assert only_error(deep)["extensions"] == {"code": "QUERY_TOO_DEEP", "limit": 3}
    assert only_error(aliases)["extensions"]["code"] == "TOO_MANY_ALIASES"
    assert only_error(directives)["extensions"]["code"] == "TOO_MANY_DIRECTIVES"


def test_the_limits_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "CONNECT_MAX_QUERY_DEPTH": "7",
        "CONNECT_MAX_ALIASES": "5",
        "CONNECT_MAX_QUERY_TOKENS": "500",
        "CONNECT_MAX_DIRECTIVES": "9",
        "CONNECT_MAX_BODY_BYTES": "20000",
        "CONNECT_INTROSPECTION": "false",
        "CONNECT_FIELD_SUGGESTIONS": "true",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert (
        settings.max_query_depth,
        settings.max_aliases,
        settings.max_query_tokens,
        settings.max_directives,
        settings.max_body_bytes,
        settings.introspection,
        settings.field_suggestions,
    ) == (7, 5, 500, 9, 20000, False, True)


def test_the_defaults_are_safe() -> None:
    settings = Settings(database_url="sqlite://")
    assert (settings.max_query_depth, settings.max_aliases, settings.max_query_tokens) == (
        10,
        30,
        2000,
    )
    assert settings.max_body_bytes == 1_000_000
    assert settings.introspection is True
    assert Limits().show_suggestions is True
    assert Limits(introspection=False).show_suggestions is False


# --- the request itself ----------------------------------------------------------------


async def test_a_batch_is_refused(connect: ClientFactory) -> None:
    async with connect() as client:
        response = await client.post(
            "/graphql", json=[{"query": "{ __typename }"}, {"query": "{ __typename }"}]
        )
    assert response.status_code == 400
    error = only_error(response)
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "Batched requests" in error["message"]


async def test_a_body_over_the_limit_is_refused_with_413(connect: ClientFactory) -> None:
    body = json.dumps({"query": "{ __typename }", "padding": "x" * 30_000})
    async with connect(max_body_bytes=20_000) as client:
        response = await client.post(
            "/graphql", content=body, headers={"Content-Type": "application/json"}
        )
        small = await post(client, "{ __typename }")
    assert response.status_code == 413
    assert only_error(response)["extensions"] == {"code": "REQUEST_TOO_LARGE", "limit": 20_000}
    assert small.status_code == 200


async def test_a_mutation_over_get_is_refused_with_405(connect: ClientFactory) -> None:
    async with connect() as client:
        response = await client.get("/graphql", params={"query": SIGN_IN})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert only_error(response)["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_a_query_over_get_is_allowed(connect: ClientFactory) -> None:
    async with connect() as client:
        response = await client.get("/graphql", params={"query": "{ __typename }"})
    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("application/x-www-form-urlencoded", "query=" + SIGN_IN),
        (
            "multipart/form-data; boundary=x",
            f'--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{SIGN_IN}\r\n--x--\r\n',
        ),
        ("text/plain", json.dumps({"query": SIGN_IN})),
        (None, json.dumps({"query": SIGN_IN})),
    ],
)
async def test_a_post_that_a_foreign_page_could_send_is_refused_with_415(
    connect: ClientFactory, content_type: str | None, content: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    async with connect() as client:
        response = await client.post("/graphql", content=content.encode(), headers=headers)
    assert response.status_code == 415
    assert only_error(response)["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


async def test_the_bare_query_as_application_graphql_is_accepted(connect: ClientFactory) -> None:
    async with connect() as client:
        response = await client.post(
            "/graphql", content=b"{ __typename }", headers={"Content-Type": "application/graphql"}
        )
    assert response.json()["data"] == {"__typename": "Query"}


async def test_a_body_that_is_not_json_is_refused(connect: ClientFactory) -> None:
    async with connect() as client:
        broken = await client.post(
            "/graphql", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        too_nested = await client.post(
            "/graphql",
            content=b'{"query": "{ __typename }", "variables": ' + b"[" * 100_000 + b"}",
            headers={"Content-Type": "application/json"},
        )
    assert broken.status_code == 400
    assert too_nested.status_code == 400


# --- what the responses reveal ---------------------------------------------------------


async def test_no_field_suggestions_when_introspection_is_off(connect: ClientFactory) -> None:
    async with connect(introspection=False) as client:
        unknown = await post(client, "{ user { id } }")
        introspection = await post(client, "{ __schema { types { name } } }")
        typename = await post(client, "{ __typename }")
    assert "Did you mean" not in unknown.text
    assert "Cannot query field 'user'" in unknown.json()["errors"][0]["message"]
    assert introspection.json()["data"] is None
    assert "introspection has been disabled" in introspection.json()["errors"][0]["message"]
    assert typename.json()["data"] == {"__typename": "Query"}


async def test_field_suggestions_when_introspection_is_on(connect: ClientFactory) -> None:
    async with connect() as client:
        response = await post(client, "{ user { id } }")
    assert "Did you mean" in response.text


async def test_suggestions_can_be_turned_off_alone(connect: ClientFactory) -> None:
    async with connect(field_suggestions=False) as client:
        response = await post(client, "{ user { id } }")
        introspection = await post(client, "{ __schema { queryType { name } } }")
    assert "Did you mean" not in response.text
    assert introspection.json()["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_no_tracing_in_responses(connect: ClientFactory) -> None:
    async with connect() as client:
        response = await post(client, "{ __typename }")
    # The only extension is the operation's cost (gql/limits/cost.py).
    assert set(response.json()["extensions"]) == {"cost"}


# --- CORS ------------------------------------------------------------------------------


def preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }


async def test_cors_allows_the_configured_origin(connect: ClientFactory) -> None:
    async with connect(cors_origins=[SPA]) as client:
        options = await client.options("/graphql", headers=preflight(SPA))
        response = await post(client, "{ __typename }", headers={"Origin": SPA})
    assert options.status_code == 200
    assert options.headers["access-control-allow-origin"] == SPA
    assert "authorization" in options.headers["access-control-allow-headers"].lower()
    assert response.headers["access-control-allow-origin"] == SPA


async def test_cors_gives_a_foreign_origin_nothing(connect: ClientFactory) -> None:
    async with connect(cors_origins=[SPA]) as client:
        options = await client.options("/graphql", headers=preflight(FOREIGN))
        response = await post(client, "{ __typename }", headers={"Origin": FOREIGN})
    assert options.status_code == 400
    assert "access-control-allow-origin" not in options.headers
    assert "access-control-allow-origin" not in response.headers


async def test_without_configured_origins_there_are_no_cors_headers(
    connect: ClientFactory,
) -> None:
    async with connect() as client:
        options = await client.options("/graphql", headers=preflight(SPA))
        response = await post(client, "{ __typename }", headers={"Origin": SPA})
    assert "access-control-allow-origin" not in options.headers
    assert options.status_code == 405
    assert "access-control-allow-origin" not in response.headers

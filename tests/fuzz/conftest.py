"""The fuzzing fixtures: the real app, in process, on a throwaway SQLite database.

The database holds the demo organisation (``connect-admin demo-data``, run in a
subprocess so that its event loop stays apart from the app's), and the mail gateway
points at a local SMTP sink, so that resets and test mails really go out. Requests
never leave the process: Schemathesis calls the ASGI app directly, on an event loop
thread of its own, and runs the app's lifespan there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphql
import pytest
import schemathesis
from cryptography.fernet import Fernet
from hypothesis import strategies as st
from schemathesis.graphql import nodes
from schemathesis.python.asgi import ASGIClient
from schemathesis.specs.graphql.schemas import GraphQLSchema
from starlette.types import ASGIApp, Receive, Scope, Send

from domain.services.validation import MAX_JSON_BYTES, MAX_JSON_DEPTH
from persistence.database import create_engine
from server.commandline.demo_data import DEMO_ADMIN_PASSWORD, DEMO_USER_PASSWORD
from server.container import services_factory
from server.http.app import create_app
from server.settings import Settings
from tests.smtp_server import SmtpServer

EXAMPLES_ENV = "CONNECT_FUZZ_EXAMPLES"
# Examples per operation (each query and mutation field): about a minute in all on 2 cores.
DEFAULT_EXAMPLES = 25
# A fixed seed and derandomized generation: CI sends the same requests on every run.
SEED = 20260402

ADMIN_LOGIN = "admin"
# The Connect Client user whose token calls the self-service operations. Its ID is kept
# out of the generated IDs, so that no reset, block or delete ends its session midway.
SELF_SERVICE_LOGIN = "hans.schulz"
SELF_SERVICE_OPERATIONS = frozenset(
    {
        "Query.me",
        "Mutation.changeMyPassword",
        "Mutation.setMyRelationship",
        "Mutation.setMyClientSetting",
        "Mutation.setMyPresenceSetting",
        "Mutation.addMyContact",
    }
)

# The voicemail server calls with an API token of the administrator.
VOICEMAIL_OPERATIONS = frozenset({"Mutation.voicemailRemoteAccess", "Mutation.verifyVoicemailPin"})
# With the administrator's session, signOut would end the session every other operation
# shares; with the API token it answers NOT_A_SESSION and ends nothing.
API_TOKEN_OPERATIONS = VOICEMAIL_OPERATIONS | {"Mutation.signOut"}

# Filled once the demo data is in (see ``known_ids``); drawn from by the ID scalar.
KNOWN_IDS: list[str] = []


def _ids() -> st.SearchStrategy[Any]:
    known = st.sampled_from(KNOWN_IDS) if KNOWN_IDS else st.nothing()
    return st.one_of(known, known, st.text(max_size=24)).map(nodes.String)


def _json_node(value: Any) -> Any:
    """A GraphQL literal for a JSON value."""
    if value is None:
        return nodes.Null
    if isinstance(value, bool):
        return nodes.Boolean(value)
    if isinstance(value, int):
        return nodes.Int(value)
    if isinstance(value, float):
        return nodes.Float(value)
    if isinstance(value, str):
        return nodes.String(value)
    if isinstance(value, list):
        return nodes.List([_json_node(item) for item in value])
    return nodes.Object(
        [
            graphql.ObjectFieldNode(name=graphql.NameNode(value=key), value=_json_node(item))
            for key, item in value.items()
        ]
    )


JSON_KEYS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,7}", fullmatch=True)
JSON_VALUES = st.recursive(
    st.booleans()
    | st.integers(min_value=-(2**31), max_value=2**31 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=16),
    # A JSON null inside a list or an object only: every JSON argument is non-null.
    lambda children: (
        st.lists(children | st.none(), max_size=3)
        | st.dictionaries(JSON_KEYS, children | st.none(), max_size=3)
    ),
    max_leaves=6,
)


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


# Now and then a value beyond the input limits (docs/partners/input-limits.md): it must be
# refused in the payload's errors, never with an internal error.
JSON_BEYOND_LIMITS = st.one_of(
    st.integers(min_value=MAX_JSON_DEPTH + 1, max_value=3 * MAX_JSON_DEPTH).map(_nested),
    st.just("x" * (MAX_JSON_BYTES + 1)),
    st.sampled_from([2**63, -(2**63) - 1, 10**30]),
    st.text(max_size=4).map(lambda text: text + "\x00"),
)

# Real IDs most of the time, so that the resolvers find something; any text otherwise.
schemathesis.graphql.scalar("ID", st.deferred(_ids))
schemathesis.graphql.scalar("JSON", st.one_of(JSON_VALUES, JSON_BEYOND_LIMITS).map(_json_node))


def fuzz_examples() -> int:
    raw = os.environ.get(EXAMPLES_ENV, "").strip()
    if not raw:
        return DEFAULT_EXAMPLES
    try:
        value = int(raw)
    except ValueError:
        raise pytest.UsageError(f"{EXAMPLES_ENV} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise pytest.UsageError(f"{EXAMPLES_ENV} must be at least 1")
    return value


@dataclass(frozen=True)
class Tokens:
    admin: str
    user: str
    api: str

    def headers_for(self, operation_label: str) -> dict[str, str]:
        if operation_label in SELF_SERVICE_OPERATIONS:
            token = self.user
        elif operation_label in API_TOKEN_OPERATIONS:
            token = self.api
        else:
            token = self.admin
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def smtp_sink() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture(scope="module")
def fuzz_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A fresh SQLite database with the demo organisation."""
    path: Path = tmp_path_factory.mktemp("fuzz") / "connect-admin.db"
    url = f"sqlite:///{path}"
    key = Fernet.generate_key().decode()
    environment = {**os.environ, "CONNECT_DATABASE_URL": url, "CONNECT_SECRET_KEY": key}
    subprocess.run(
        [sys.executable, "-m", "connect_admin", "demo-data"],
        env=environment,
        check=True,
        capture_output=True,
        timeout=120,
    )
    # No background dispatcher: the mail goes out after each request instead (below),
    # so that every run does the same work in the same order. No cost budget: one token
    # sends every request as fast as it can (the ceiling holds; tests/api/test_cost_api.py).
    return Settings(
        database_url=url,
        secret_key=key,  # type: ignore[arg-type]
        mail_dispatcher=False,
        cost_budget=False,
    )


@pytest.fixture(scope="module")
def fuzz_app(fuzz_settings: Settings) -> ASGIApp:
    """The app, followed by one dispatcher pass after each request: what the request
    queued (reset passwords, PINs) is sent to the sink before the next one starts. A
    failing pass fails the request's test."""
    engine = create_engine(fuzz_settings.database_url)
    app = create_app(fuzz_settings, engine=engine)
    make_services = services_factory(engine, fuzz_settings)

    async def app_then_mail(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await app(scope, receive, send)
        finally:
            if scope["type"] == "lifespan":
                # Schemathesis ends the lifespan after each test, on its event loop:
                # the connections of that loop go with it.
                await engine.dispose()
        if scope["type"] == "http":
            await make_services().outbox.dispatch_due()

    return app_then_mail


def _post(client: ASGIClient, query: str, token: str | None = None, **variables: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_app: ASGIApp) -> GraphQLSchema:
    """The schema by introspection of the running app."""
    return schemathesis.graphql.from_asgi("/graphql", fuzz_app)


@pytest.fixture(scope="module")
def fuzz_tokens(fuzz_app: ASGIApp, smtp_sink: SmtpServer) -> Tokens:
    """Signs in, points the mail gateway at the sink and collects the demo IDs."""
    with ASGIClient(fuzz_app) as client:
        admin = _post(
            client,
            "mutation($l: String!, $p: String!) { adminSignIn(login: $l, password: $p) "
            "{ token errors { code } } }",
            l=ADMIN_LOGIN,
            p=DEMO_ADMIN_PASSWORD,
        )["adminSignIn"]["token"]
        assert admin
        gateway = _post(
            client,
            'mutation($port: Int!) { configureEmailGateway(input: {host: "127.0.0.1", '
            'port: $port, security: NONE, senderAddress: "connect@example.org"}) '
            "{ errors { code message } } }",
            admin,
            port=smtp_sink.port,
        )
        assert gateway["configureEmailGateway"]["errors"] == [], gateway
        user = _post(
            client,
            "mutation($l: String!, $p: String!) { userSignIn(login: $l, password: $p) "
            "{ token passwordChangeRequired errors { code } } }",
            l=SELF_SERVICE_LOGIN,
            p=DEMO_USER_PASSWORD,
        )["userSignIn"]
        assert user["token"], user
        assert not user["passwordChangeRequired"], user
        api = _post(
            client,
            'mutation { createApiToken(name: "voicemail") { token errors { code } } }',
            admin,
        )["createApiToken"]["token"]
        assert api
        KNOWN_IDS[:] = _known_ids(client, admin)
    return Tokens(admin=admin, user=user["token"], api=api)


def _known_ids(client: ASGIClient, token: str) -> list[str]:
    data = _post(
        client,
        "{ users(first: 100) { edges { node { id login } } }"
        " locations { id configurationGroups { id } }"
        " teams { id } directoryDataSources { id } administrators { id login }"
        " auditEvents(first: 5) { edges { node { id } } } }",
        token,
    )
    ids = [
        edge["node"]["id"]
        for edge in data["users"]["edges"]
        if edge["node"]["login"] != SELF_SERVICE_LOGIN
    ]
    for location in data["locations"]:
        ids.append(location["id"])
        ids.extend(group["id"] for group in location["configurationGroups"])
    ids.extend(team["id"] for team in data["teams"])
    ids.extend(source["id"] for source in data["directoryDataSources"])
    ids.extend(admin["id"] for admin in data["administrators"])
    ids.extend(edge["node"]["id"] for edge in data["auditEvents"]["edges"])
    return ids

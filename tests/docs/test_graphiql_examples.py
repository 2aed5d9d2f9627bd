"""The examples GraphiQL opens with (server/ui/graphiql_examples.py) are valid against the
schema, run against the demo data, and reach the page as data, not as a script."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import OperationDefinitionNode, OperationType, parse, validate

from gql.limits.extensions import Limits
from gql.schema import build_schema
from server.commandline.demo_data import DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD
from server.http.app import create_app
from server.settings import Settings
from server.ui.graphiql_examples import (
    EXAMPLES,
    EXAMPLES_ELEMENT_ID,
    RESET_PROGRESS,
    RESET_USERS,
    SIGN_IN,
    TOKEN_PLACEHOLDER,
    USERS_PAGE,
    Example,
)
from tests.cli.serving import ROOT
from tests.docs.demo_server import DemoServer, answers, demo_server


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    with demo_server(tmp_path_factory.mktemp("graphiql-examples")) as server:
        yield server


def operation(example: Example) -> OperationDefinitionNode:
    [definition] = parse(example.query).definitions
    assert isinstance(definition, OperationDefinitionNode)
    return definition


def names(example: Example) -> str:
    name = operation(example).name
    return name.value if name is not None else "?"


@pytest.mark.parametrize("example", EXAMPLES, ids=names)
def test_each_example_is_valid_against_the_schema(example: Example) -> None:
    schema = build_schema(Limits())._schema
    assert validate(schema, parse(example.query)) == []
    # GraphiQL titles the tab with the operation's name.
    assert operation(example).name is not None
    if example is not SIGN_IN:
        assert example.headers == {"Authorization": f"Bearer {TOKEN_PLACEHOLDER}"}


def test_the_examples_are_sign_in_the_users_page_a_dry_run_reset_and_its_progress() -> None:
    kinds = [(names(e), operation(e).operation) for e in EXAMPLES]
    assert kinds == [
        ("SignIn", OperationType.MUTATION),
        ("UsersPage", OperationType.QUERY),
        ("ResetUsers", OperationType.MUTATION),
        ("ResetProgress", OperationType.SUBSCRIPTION),
    ]
    assert RESET_USERS.variables["dryRun"] is True
    assert RESET_USERS.variables["operationId"] == RESET_PROGRESS.variables["operationId"]


class _AnyText:
    """Equal to any text that is not empty (a message for people)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and bool(other)


ANY_TEXT = _AnyText()


def run(demo: DemoServer, example: Example, token: str | None, **variables: Any) -> Any:
    [root] = demo.data(example.query, {**example.variables, **variables}, token).values()
    return root


def test_signing_in_with_the_demo_password_answers_a_token(demo: DemoServer) -> None:
    # The example leaves the password for the reader to type.
    assert SIGN_IN.variables == {"login": DEMO_ADMIN_LOGIN, "password": ""}
    refused = run(demo, SIGN_IN, None)
    signed_in = run(demo, SIGN_IN, None, password=DEMO_ADMIN_PASSWORD)

    assert refused == {
        "token": None,
        "errors": [{"code": "INVALID_CREDENTIALS", "message": ANY_TEXT}],
    }
    assert signed_in["token"].startswith("cas_")
    assert signed_in["errors"] == []


def test_the_users_page_lists_the_demo_users(demo: DemoServer) -> None:
    page = run(demo, USERS_PAGE, demo.token("admin"))

    assert page["totalCount"] == 12
    assert page["pageInfo"]["hasNextPage"] is False
    bernd = next(e["node"] for e in page["edges"] if e["node"]["login"] == "bernd.mueller")
    assert bernd["id"] == RESET_USERS.variables["ids"][0]
    assert bernd["location"] == {"name": "Berlin HQ"}


def test_the_dry_run_reset_says_what_would_happen_and_the_progress_tab_follows_it(
    demo: DemoServer,
) -> None:
    token = demo.token("admin")
    with demo.subscription(RESET_PROGRESS.query, RESET_PROGRESS.variables, token) as ws:
        reset = run(demo, RESET_USERS, token)
        progress = [payload["data"]["resetProgress"] for payload in answers(ws)]

    assert reset["errors"] == []
    [result] = reset["results"]
    assert result["user"] == {"login": "bernd.mueller", "displayName": "Bernd Müller"}
    assert [a["action"] for a in result["actions"]] == [
        "PASSWORD", "VOICEMAIL_PIN", "RELATIONSHIPS", "CLIENT_SETTINGS", "PRESENCE_SETTINGS",
        "CONTACT_LIST",
    ]  # fmt: skip
    assert progress[-1] == {"operationId": "reset-1", "done": 1, "total": 1, "finished": True}
    # Nothing was stored: a second dry run says the same.
    assert run(demo, RESET_USERS, token, operationId="reset-2")["results"] == reset["results"]


NODE_MODULES = ROOT / "node_modules"


@pytest.mark.skipif(not (NODE_MODULES / "graphiql").is_dir(), reason="no node_modules: `npm ci`")
async def test_the_page_carries_the_examples_as_data_not_as_a_script(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'connect-admin.db'}",
        secret_key="test-key",  # type: ignore[arg-type]
        mail_dispatcher=False,
        web_assets=NODE_MODULES,
    )
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http,
    ):
        response = await http.get("/graphql", headers={"Accept": "text/html"})

    page = response.text
    pattern = rf'<script type="application/json" id="{EXAMPLES_ELEMENT_ID}">(.*?)</script>'
    [data] = re.findall(pattern, page, re.DOTALL)
    assert json.loads(data) == [example.tab() for example in EXAMPLES]
    assert "<" not in data
    assert "&" not in data
    # Still one inline script, the page's own by its nonce; no new CSP source.
    [nonce] = re.findall(r'<script nonce="([^"]+)">', page)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert sorted(inline) == sorted(
        [f' nonce="{nonce}"', f' type="application/json" id="{EXAMPLES_ELEMENT_ID}"']
    )
    assert f"script-src 'self' 'nonce-{nonce}';" in response.headers["content-security-policy"]

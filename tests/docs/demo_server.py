"""A real ``connect-admin serve`` on the demo data (``connect-admin demo-data``), on a
free port of 127.0.0.1, with a throwaway SQLite database: what a reader of README
has after the quick start. Its callers sign in as the demo data says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from server.commandline.demo_data import (
    DEMO_ADMIN_LOGIN,
    DEMO_ADMIN_PASSWORD,
    DEMO_SUB_ADMIN_LOGIN,
    DEMO_SUB_ADMIN_PASSWORD,
)
from tests.cli.serving import ROOT, free_port, served

SIGN_IN = (
    "mutation($l: String!, $p: String!) { adminSignIn(login: $l, password: $p) "
    "{ token errors { code } } }"
)
CREATE_API_TOKEN = 'mutation { createApiToken(name: "docs-test") { token errors { code } } }'
# A guard against a hanging subscription, not a synchronisation.
SUBSCRIPTION_TIMEOUT = 60


def environment(**extra: str) -> dict[str, str]:
    """This process's environment without any CONNECT_ setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}
    env.update(extra)
    return env


@dataclass
class DemoServer:
    base: str
    http: httpx.Client
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def graphql_url(self) -> str:
        return f"{self.base}/graphql"

    @property
    def address(self) -> str:
        return self.base.removeprefix("http://")

    def post(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    def data(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """The data of an answer that must have no GraphQL errors."""
        response = self.post(query, variables, token)
        body = response.json()
        assert response.status_code == 200, response.text
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def token(self, caller: str) -> str | None:
        """A token of the demo data's caller: ``admin`` and ``munich-admin`` signed in,
        ``api-token`` an API token of ``admin``, ``nobody`` none."""
        if caller == "nobody":
            return None
        if caller not in self._tokens:
            self._tokens[caller] = self._new_token(caller)
        return self._tokens[caller]

    def _new_token(self, caller: str) -> str:
        passwords = {
            "admin": (DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD),
            "munich-admin": (DEMO_SUB_ADMIN_LOGIN, DEMO_SUB_ADMIN_PASSWORD),
        }
        if caller == "api-token":
            made = self.data(CREATE_API_TOKEN, token=self.token("admin"))["createApiToken"]
            assert made["token"], made
            return str(made["token"])
        assert caller in passwords, f"unknown caller {caller!r}"
        login, password = passwords[caller]
        signed_in = self.data(SIGN_IN, {"l": login, "p": password})["adminSignIn"]
        assert signed_in["token"], signed_in
        return str(signed_in["token"])

    @contextmanager
    def subscription(
        self, query: str, variables: dict[str, Any] | None, token: str | None
    ) -> Iterator[ClientConnection]:
        """A subscription over graphql-transport-ws, started (as GraphiQL does it: the
        token in ``connection_init``); read its answers with ``answers``."""
        ws_url = self.base.replace("http://", "ws://", 1) + "/graphql"
        init = {"Authorization": f"Bearer {token}"} if token else {}
        with connect(ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
            ws.send(json.dumps({"type": "connection_init", "payload": init}))
            assert json.loads(ws.recv(SUBSCRIPTION_TIMEOUT))["type"] == "connection_ack"
            subscribe = {"query": query, "variables": variables or {}}
            ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
            yield ws


def answers(ws: ClientConnection) -> list[dict[str, Any]]:
    """The ``next`` payloads of the subscription up to its ``complete``."""
    payloads: list[dict[str, Any]] = []
    while True:
        message = json.loads(ws.recv(SUBSCRIPTION_TIMEOUT))
        if message["type"] == "complete":
            return payloads
        assert message["type"] == "next", message
        payloads.append(message["payload"])


def make_demo_database(folder: Path) -> str:
    """A new SQLite database in ``folder`` with the demo data; its URL."""
    url = f"sqlite:///{folder / 'connect-admin.db'}"
    made = subprocess.run(
        [sys.executable, "-m", "connect_admin", "demo-data"],
        cwd=folder, env=environment(CONNECT_DATABASE_URL=url),
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    return url


# A free port may be taken between our probe and the server's bind (a parallel test's
# process): the server then ends, and another port is tried.
PORT_ATTEMPTS = 3


@contextmanager
def demo_server(folder: Path) -> Iterator[DemoServer]:
    """``connect-admin serve`` on a new demo database in ``folder``, until the block ends."""
    url = make_demo_database(folder)
    env = environment(CONNECT_DATABASE_URL=url, CONNECT_WEB_ASSETS=str(ROOT / "node_modules"))
    with ExitStack() as stack:
        for _ in range(PORT_ATTEMPTS):
            port = free_port()
            command = [sys.executable, "-m", "connect_admin", "serve", "--port", str(port)]
            server = stack.enter_context(served(command, folder, env))
            if server.wait_until_listening():
                break
        else:
            raise AssertionError(f"the demo server never listened:\n{server.output}")
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=60) as http:
            try:
                yield DemoServer(base, http)
            except httpx.TransportError as error:
                # Say why: the server's exit code and the end of its log.
                raise AssertionError(
                    f"the demo server on {base} did not answer ({error!r}); exit code "
                    f"{server.proc.poll()}; the end of its log:\n{server.output[-6000:]}"
                ) from error

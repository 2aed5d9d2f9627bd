"""resetProgress over a real websocket (graphql-transport-ws at /graphql) of a live server.

The server (uvicorn, in a thread with its own event loop and engine) runs on
the test database; resetUsers goes to it over HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from domain.principals import SYSTEM
from domain.services import locations, users
from domain.services.administrators import NewAdministrator
from gql.ids import to_global_id
from server.container import build_services
from server.http.app import create_app
from server.settings import Settings
from tests.api.conftest import ADMIN_PASSWORD, Api
from tests.api.test_metrics_api import samples, value

# How long a subscriber waits for an operation that has not started.
WAIT_SECONDS = 2.0
USERS = 20

SUBSCRIPTION = """
subscription($id: String!) {
  resetProgress(operationId: $id) { operationId done total finished }
}"""
RESET = """
mutation($ids: [ID!]!, $id: String) {
  resetUsers(ids: $ids, options: {resetClientSettings: true}, operationId: $id) {
    succeeded failed errors { code field }
  }
}"""


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


@dataclass
class Live:
    api: Api
    ws_url: str


@pytest.fixture
async def live(clean_database: AsyncEngine, database_url: str) -> AsyncIterator[Live]:
    async with serving(clean_database, database_url) as server:
        yield server


@pytest.fixture
async def another_worker(clean_database: AsyncEngine, database_url: str) -> AsyncIterator[Live]:
    """A second server process of the same deployment (``serve --workers 2``): its own
    app, engine and event loop on the same database."""
    async with serving(clean_database, database_url) as server:
        yield server


@contextlib.asynccontextmanager
async def serving(
    clean_database: AsyncEngine, database_url: str, **overrides: Any
) -> AsyncIterator[Live]:
    settings = Settings(
        database_url=database_url, secret_key="test-key", mail_dispatcher=False,  # type: ignore[arg-type]
        progress_wait_seconds=WAIT_SECONDS, **overrides,
    )  # fmt: skip
    # The app builds its own engine: the server's event loop is not the tests'.
    app = create_app(settings)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()
    server = _Server(uvicorn.Config(app, ws="websockets-sansio", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        assert await asyncio.to_thread(server.ready.wait, 30), "the server did not start"
        async with httpx.AsyncClient(base_url=f"http://{host}:{port}") as client:
            yield Live(
                api=Api(
                    client=client,
                    services=build_services(clean_database, settings),
                    compiled=settings.compiled_execution,
                ),
                ws_url=f"ws://{host}:{port}/graphql",
            )
    finally:
        server.should_exit = True
        await asyncio.to_thread(thread.join, 30)
        sock.close()


async def admin(live: Live, login: str) -> str:
    await live.api.services.administrators.create_administrator(
        SYSTEM, NewAdministrator(login=login, password=ADMIN_PASSWORD, last_name="A")
    )
    return await live.api.sign_in_admin(login)


async def user_ids(live: Live, count: int) -> list[str]:
    services = live.api.services
    loc = await services.locations.create_location(SYSTEM, locations.NewLocation(name="Berlin"))
    ids = []
    for n in range(count):
        user = await services.users.create_user(
            SYSTEM, users.NewUser(login=f"user{n}", last_name="U", location_id=loc.id)
        )
        ids.append(to_global_id("User", user.id))
    return ids


async def open_socket(
    live: Live, *, init_token: str | None = None, upgrade_token: str | None = None
) -> ClientConnection:
    headers = {"Authorization": f"Bearer {upgrade_token}"} if upgrade_token else None
    ws = await connect(
        live.ws_url,
        subprotocols=[Subprotocol("graphql-transport-ws")],
        additional_headers=headers,
    )
    payload = {"Authorization": f"Bearer {init_token}"} if init_token else {}
    await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
    assert (await receive(ws))["type"] == "connection_ack"
    return ws


async def receive(ws: ClientConnection) -> dict[str, Any]:
    """One graphql-transport-ws message; the protocol sends JSON in text frames only
    (GraphiQL's client cannot read a binary one)."""
    frame = await ws.recv()
    assert isinstance(frame, str), f"a binary frame: {frame!r}"
    message: dict[str, Any] = json.loads(frame)
    return message


async def subscribe(ws: ClientConnection, sub_id: str, operation_id: str) -> None:
    message = {"query": SUBSCRIPTION, "variables": {"id": operation_id}}
    await ws.send(json.dumps({"id": sub_id, "type": "subscribe", "payload": message}))


async def until_complete(ws: ClientConnection, sub_id: str) -> list[dict[str, Any]]:
    """The ``next`` payloads of one subscription, up to its ``complete``."""
    payloads: list[dict[str, Any]] = []
    async with asyncio.timeout(30):  # a guard against hanging, not a synchronisation
        while True:
            message = await receive(ws)
            assert message.get("id") == sub_id, message
            if message["type"] == "complete":
                return payloads
            assert message["type"] == "next", message
            payloads.append(message["payload"])


async def closing_code(ws: ClientConnection) -> int | None:
    """The code the server closes the socket with; fails on any message with data
    before (a subscription that learnt first that its credential ended may say so)."""
    try:
        async with asyncio.timeout(30):  # a guard against hanging, not a synchronisation
            while True:
                message = await receive(ws)
                ended = message["type"] == "next" and codes([message["payload"]]) == [
                    "UNAUTHENTICATED"
                ]
                if message["type"] != "complete" and not ended:
                    raise AssertionError(f"a message instead of the close: {message}")
    except ConnectionClosed as closed:
        return None if closed.rcvd is None else closed.rcvd.code


def codes(payloads: list[dict[str, Any]]) -> list[str]:
    return [e["extensions"]["code"] for p in payloads for e in p.get("errors", [])]


class TestResetProgress:
    async def test_the_caller_watches_its_reset_and_no_other_admin_can(self, live: Live) -> None:
        root = await admin(live, "root")
        other = await admin(live, "other")
        ids = await user_ids(live, USERS)

        # The token in connection_init (GraphiQL's way), and in the upgrade request.
        mine = await open_socket(live, init_token=root)
        theirs = await open_socket(live, upgrade_token=other)
        try:
            await subscribe(mine, "1", "op-1")
            await subscribe(theirs, "1", "op-1")
            data = await live.api.data(RESET, {"ids": ids, "id": "op-1"}, token=root)
            assert data["resetUsers"] == {"succeeded": USERS, "failed": 0, "errors": []}

            progress = [p["data"]["resetProgress"] for p in await until_complete(mine, "1")]
            assert progress[-1] == {
                "operationId": "op-1", "done": USERS, "total": USERS, "finished": True,
            }  # fmt: skip
            assert all(p["total"] == USERS for p in progress)
            dones = [p["done"] for p in progress]
            assert dones == sorted(dones)
            assert [p["finished"] for p in progress].count(True) == 1

            # Another administrator learns nothing, not even that the id is taken.
            [refused] = await until_complete(theirs, "1")
            assert refused["data"] is None
            assert codes([refused]) == ["OPERATION_NOT_FOUND"]

            # A late subscriber gets the final state at once.
            await subscribe(mine, "2", "op-1")
            [final] = await until_complete(mine, "2")
            assert final["data"]["resetProgress"]["finished"] is True
        finally:
            await mine.close()
            await theirs.close()

    async def test_a_subscriber_on_another_worker_follows_the_reset(
        self, live: Live, another_worker: Live
    ) -> None:
        root = await admin(live, "root")
        ids = await user_ids(live, USERS)
        watcher = await open_socket(another_worker, init_token=root)
        try:
            await subscribe(watcher, "1", "op-1")
            data = await live.api.data(RESET, {"ids": ids, "id": "op-1"}, token=root)
            assert data["resetUsers"]["succeeded"] == USERS

            progress = [p["data"]["resetProgress"] for p in await until_complete(watcher, "1")]
            assert progress[-1] == {
                "operationId": "op-1", "done": USERS, "total": USERS, "finished": True,
            }  # fmt: skip
        finally:
            await watcher.close()

        # Once finished, the id is free again, on any worker.
        again = await another_worker.api.data(RESET, {"ids": ids, "id": "op-1"}, token=root)
        assert again["resetUsers"]["errors"] == []

    async def test_without_a_token_nothing_is_watched(self, live: Live) -> None:
        ws = await open_socket(live)
        try:
            await subscribe(ws, "1", "op-1")
            assert codes(await until_complete(ws, "1")) == ["UNAUTHENTICATED"]
        finally:
            await ws.close()

    async def test_an_empty_operation_id_is_refused(self, live: Live) -> None:
        root = await admin(live, "root")
        [user_id] = await user_ids(live, 1)
        data = await live.api.data(RESET, {"ids": [user_id], "id": ""}, token=root)
        assert data["resetUsers"]["errors"] == [
            {"code": "INVALID_OPERATION_ID", "field": ["operationId"]}
        ]


class TestLongLivedSockets:
    async def test_a_token_revoked_while_the_socket_is_open_ends_the_socket(
        self, live: Live
    ) -> None:
        root = await admin(live, "root")
        made = await live.api.data(
            'mutation { createApiToken(name: "ws") { token apiToken { id } } }', token=root
        )
        secret = made["createApiToken"]["token"]
        ws = await open_socket(live, init_token=secret)
        try:
            await live.api.data(
                "mutation($id: ID!) { revokeApiToken(id: $id) { ok } }",
                {"id": made["createApiToken"]["apiToken"]["id"]},
                token=root,
            )
            # Closed at once (server/http/sockets.py): nothing more is watched on it.
            assert await closing_code(ws) == 4401
        finally:
            await ws.close()

    async def test_queries_and_mutations_go_over_http(self, live: Live) -> None:
        root = await admin(live, "root")
        ws = await open_socket(live, init_token=root)
        try:
            message = {
                "query": 'mutation { createLocation(input: {name: "Evil"}) { errors { code } } }'
            }
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": message}))
            assert codes(await until_complete(ws, "1")) == ["OPERATION_NEEDS_HTTP"]
        finally:
            await ws.close()
        listed = await live.api.data("{ locations { name } }", token=root)
        assert "Evil" not in str(listed)


class TestSubscriptionMetrics:
    async def test_a_subscription_is_counted_by_its_field_and_outcome(self, live: Live) -> None:
        labels = {"operation_type": "subscription", "operation": "resetProgress"}
        refused = {**labels, "outcome": "errors"}
        before = samples((await live.api.client.get("/metrics")).text)
        ws = await open_socket(live)
        try:
            await subscribe(ws, "1", "op-1")
            assert codes(await until_complete(ws, "1")) == ["UNAUTHENTICATED"]
        finally:
            await ws.close()
        after = samples((await live.api.client.get("/metrics")).text)

        counted = "connect_admin_graphql_requests_total"
        assert value(after, counted, **refused) == value(before, counted, **refused) + 1
        code = {"code": "UNAUTHENTICATED"}
        refusals = "connect_admin_refusals_total"
        assert value(after, refusals, **code) == value(before, refusals, **code) + 1

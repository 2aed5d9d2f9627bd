"""Websockets end with their credential and are bounded, against a live server
(uvicorn in a thread, graphql-transport-ws at /graphql)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from domain.principals import SYSTEM
from domain.services import locations, users
from gql.ids import to_global_id
from tests.api.test_progress_api import (
    RESET,
    Live,
    admin,
    closing_code,
    open_socket,
    serving,
    subscribe,
    user_ids,
)

INIT_SECONDS = 1.0
# Across processes a socket checks its token this often.
RECHECK_SECONDS = 0.5


@pytest.fixture
async def live(clean_database: AsyncEngine, database_url: str) -> AsyncIterator[Live]:
    async with serving(
        clean_database,
        database_url,
        websocket_init_seconds=INIT_SECONDS,
        websocket_recheck_seconds=RECHECK_SECONDS,
        max_body_bytes=100_000,
    ) as server:
        yield server


@pytest.fixture
async def another_worker(clean_database: AsyncEngine, database_url: str) -> AsyncIterator[Live]:
    async with serving(
        clean_database, database_url, websocket_recheck_seconds=RECHECK_SECONDS
    ) as server:
        yield server


SIGN_OUT = "mutation { signOut { ok } }"


class TestSocketsEndWithTheirCredential:
    async def test_sign_out_ends_the_sessions_socket_and_its_subscription(self, live: Live) -> None:
        session = await admin(live, "root")
        other_session = await live.api.sign_in_admin("root")
        ws = await open_socket(live, init_token=session)
        try:
            await subscribe(ws, "1", "op-1")
            assert (await live.api.data(SIGN_OUT, token=session))["signOut"]["ok"] is True
            assert await closing_code(ws) == 4401
        finally:
            await ws.close()
        # The account's other session still works, and its reset runs.
        ids = await user_ids(live, 3)
        data = await live.api.data(RESET, {"ids": ids, "id": "op-1"}, token=other_session)
        assert data["resetUsers"]["succeeded"] == 3

    async def test_a_socket_on_another_worker_ends_too(
        self, live: Live, another_worker: Live
    ) -> None:
        session = await admin(live, "root")
        ws = await open_socket(another_worker, upgrade_token=session)
        try:
            await subscribe(ws, "1", "op-1")
            await live.api.data(SIGN_OUT, token=session)
            assert await closing_code(ws) == 4401
        finally:
            await ws.close()

    async def test_blocking_an_administrator_ends_its_socket(self, live: Live) -> None:
        root = await admin(live, "root")
        blocked = await admin(live, "sub")
        ws = await open_socket(live, init_token=blocked)
        try:
            found = await live.api.data("{ administrators { id login } }", token=root)
            [sub_id] = [a["id"] for a in found["administrators"] if a["login"] == "sub"]
            answer = await live.api.data(
                "mutation($id: ID!) { blockAdministrator(id: $id) { errors { code } } }",
                {"id": sub_id},
                token=root,
            )
            assert answer["blockAdministrator"]["errors"] == []
            assert await closing_code(ws) == 4401
        finally:
            await ws.close()

    async def test_deleting_a_user_ends_the_users_socket(self, live: Live) -> None:
        root = await admin(live, "root")
        services = live.api.services
        loc = await services.locations.create_location(SYSTEM, locations.NewLocation(name="B"))
        user = await services.users.create_user(
            SYSTEM,
            users.NewUser(
                login="anna", last_name="A", location_id=loc.id, password="Secret-Passw0rd!x"
            ),
        )
        signed_in = await live.api.sign_in_user("anna", "Secret-Passw0rd!x")
        ws = await open_socket(live, init_token=signed_in["token"])
        try:
            answer = await live.api.data(
                "mutation($id: ID!) { deleteUser(id: $id) { errors { code } } }",
                {"id": to_global_id("User", user.id)},
                token=root,
            )
            assert answer["deleteUser"]["errors"] == []
            assert await closing_code(ws) == 4401
        finally:
            await ws.close()

    async def test_a_socket_without_a_token_stays_open(self, live: Live) -> None:
        ws = await open_socket(live)
        try:
            await ws.send(json.dumps({"type": "ping"}))
            async with asyncio.timeout(30):
                assert json.loads(await ws.recv()) == {"type": "pong"}
        finally:
            await ws.close()


class TestSocketLimits:
    async def test_a_socket_without_connection_init_is_closed(self, live: Live) -> None:
        async with connect(live.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
            assert await closing_code(ws) == 4408

    async def test_a_message_over_the_body_limit_closes_the_socket(self, live: Live) -> None:
        ws = await open_socket(live)
        try:
            huge = {"type": "ping", "payload": {"padding": "x" * 200_000}}
            await ws.send(json.dumps(huge))
            assert await closing_code(ws) == 1009
        finally:
            await ws.close()

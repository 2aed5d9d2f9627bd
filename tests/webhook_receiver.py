"""A webhook receiver on 127.0.0.1 for the tests: a Starlette app under uvicorn in the
test's own event loop. It answers from a script (a status, or HANG: no answer until the
test releases it) and keeps every request; tests wait on its arrivals with a timeout."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

HANG = -1


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int = 0
    # The answers to the coming requests, in turn; 204 once it runs out.
    script: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    released: asyncio.Event = field(default_factory=asyncio.Event)
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def wait_for(self, count: int, within: float = 10.0) -> list[Received]:
        """The first ``count`` requests, once they arrived; fails after ``within`` s."""
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: len(self.received) >= count), within
            )
        return self.received[:count]

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        answer = self.script.pop(0) if self.script else 204
        async with self._arrived:
            self.received.append(Received(request.url.path, dict(request.headers), body))
            self._arrived.notify_all()
        if answer == HANG:
            await self.released.wait()
            answer = 204
        return Response(status_code=answer)


@contextlib.asynccontextmanager
async def running_receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = Starlette(routes=[Route("/{path:path}", receiver._handle, methods=["POST"])])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    # Listening before uvicorn takes over: a request made at once waits in the backlog.
    sock.listen(64)
    receiver.port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield receiver
    finally:
        receiver.released.set()
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        sock.close()

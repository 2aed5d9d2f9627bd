"""A real server for the tests that need a socket: uvicorn in a thread on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from persistence.migrate import upgrade
from server.http.app import create_app
from server.settings import Settings


@contextmanager
def running_server(folder: Path, **settings: object) -> Iterator[str]:
    """Serves the app on a fresh, migrated SQLite database in ``folder``; yields the
    /graphql URL. The port is the free one the socket was bound to."""
    url = f"sqlite:///{folder / 'connect-admin.db'}"
    upgrade(url)
    app = create_app(
        Settings(database_url=url, secret_key="test-key", mail_dispatcher=False, **settings)  # type: ignore[arg-type]
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="on", ws="none", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()

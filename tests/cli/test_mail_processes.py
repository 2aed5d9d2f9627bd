"""Mail across process lifetimes: real server processes, a real SMTP server, SQLite."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from connect_admin.domain.model import SmtpSecurity
from connect_admin.domain.principals import SYSTEM
from connect_admin.domain.services import locations, users
from connect_admin.domain.services.mail import GatewayInput, configure_gateway
from connect_admin.domain.services.reset import ResetOption, reset_users
from connect_admin.persistence.database import create_engine
from connect_admin.persistence.migrate import upgrade
from connect_admin.server.container import build_deps
from connect_admin.server.settings import Settings
from tests.smtp_server import SmtpServer

READY = "Application startup complete"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def environment(db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}
    env["CONNECT_DATABASE_URL"] = f"sqlite:///{db}"
    env.update(extra)
    return env


@contextmanager
def process(
    args: list[str], env: dict[str, str], ready: str, umask: int = -1
) -> Iterator[subprocess.Popen[str]]:
    """Runs ``connect-admin ARGS`` until the block ends; waits for ``ready`` on stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "connect_admin", *args],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True, umask=umask,
    )  # fmt: skip
    seen = threading.Event()
    output: list[str] = []

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            output.append(line)
            if ready in line:
                seen.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert seen.wait(60), "".join(output)
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(30)
        reader.join(30)
        assert proc.stderr is not None
        proc.stderr.close()


def queue_password_mail(db: Path, smtp: SmtpServer) -> None:
    """A location, a user with an address, the gateway, and a password reset: one mail queued."""

    async def setup() -> None:
        url = f"sqlite:///{db}"
        engine = create_engine(url)
        try:
            deps = build_deps(engine, Settings(database_url=url))  # type: ignore[call-arg]
            await configure_gateway(
                deps, SYSTEM,
                GatewayInput(host=smtp.host, port=smtp.port, security=SmtpSecurity.NONE,
                             sender_address="connect@example.org"),
            )  # fmt: skip
            loc = await locations.create_location(deps, SYSTEM, locations.NewLocation(name="HQ"))
            anna = await users.create_user(
                deps, SYSTEM,
                users.NewUser(login="anna", last_name="A", location_id=loc.id,
                              email="anna@example.org"),
            )  # fmt: skip
            await reset_users(deps, SYSTEM, [("a", anna.id)], [ResetOption.PASSWORD])
        finally:
            await engine.dispose()

    upgrade(f"sqlite:///{db}")
    asyncio.run(setup())


def test_dispatch_mail_sends_the_queue_and_stops_on_sigint(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    db = tmp_path / "connect-admin.db"
    queue_password_mail(db, smtp_server)

    with process(["dispatch-mail"], environment(db), "dispatching mail") as dispatcher:
        [received] = smtp_server.wait_for(1)
        dispatcher.send_signal(signal.SIGINT)
        assert dispatcher.wait(30) == 0

    assert received.rcpt_tos == ["anna@example.org"]


def test_mail_queued_before_a_kill_is_sent_after_the_restart(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    db = tmp_path / "connect-admin.db"
    port = free_port()
    serve = ["serve", "--port", str(port)]
    queue_password_mail(db, smtp_server)

    # The first server does not dispatch; it dies hard with the mail still queued.
    with process(serve, environment(db, CONNECT_MAIL_DISPATCHER="false"), READY) as first:
        response = httpx.post(
            f"http://127.0.0.1:{port}/graphql", json={"query": "{ __typename }"}, timeout=30
        )
        assert response.status_code == 200
        first.send_signal(signal.SIGKILL)
        first.wait(30)
    assert smtp_server.received == []

    with process(serve, environment(db), READY):
        [received] = smtp_server.wait_for(1)
    assert received.rcpt_tos == ["anna@example.org"]

"""An operator's mistakes at start: each one message naming what to change, exit 2, no
traceback; a database whose secrets another key encrypted is said at start, by
/readyz and by the API."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from domain.model import SmtpSecurity
from domain.principals import SYSTEM
from domain.services.administrators import NewAdministrator
from domain.services.mail import GatewayInput
from persistence.database import create_engine
from server.container import services_factory
from server.settings import Settings, secret_key_file
from tests.cli.serving import LISTENING, connect_admin_process, free_port
from tests.cli.test_command_line import connect_admin
from tests.cli.test_mail_processes import environment

ADMIN_PASSWORD = "Operator-Test-Pw-1"


def test_a_malformed_secret_key_is_refused_saying_how_to_make_one(tmp_path: Path) -> None:
    db = tmp_path / "connect-admin.db"

    result = connect_admin(
        tmp_path, "serve", "--port", str(free_port()),
        env={"CONNECT_DATABASE_URL": f"sqlite:///{db}", "CONNECT_SECRET_KEY": "hunter2"},
    )  # fmt: skip

    assert result.returncode == 2
    assert "CONNECT_SECRET_KEY is not a usable key" in result.stderr
    assert "Fernet.generate_key()" in result.stderr
    assert "hunter2" not in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_a_port_out_of_range_is_a_usage_error(tmp_path: Path, port: str) -> None:
    result = connect_admin(tmp_path, "serve", "--port", port)

    assert result.returncode == 2
    assert "argument --port" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("url", "says"),
    [("postgresql+psycopg://postgres@127.0.0.1/test", "the driver 'psycopg' is not supported"),
     ("sqlite+pysqlite:///x.db", "the driver 'pysqlite' is not supported")],
)  # fmt: skip
def test_an_unsupported_driver_suffix_is_named(tmp_path: Path, url: str, says: str) -> None:
    result = connect_admin(tmp_path, "serve", env={"CONNECT_DATABASE_URL": url})

    assert result.returncode == 2
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    assert "No module named" not in result.stderr


async def _gateway_with_a_password(url: str) -> None:
    """A migrated database with an administrator and a gateway whose password is
    encrypted with the key beside the database file."""
    engine = create_engine(url)
    try:
        services = services_factory(engine, Settings(database_url=url))()  # type: ignore[arg-type]
        await services.administrators.create_administrator(
            SYSTEM, NewAdministrator(login="root", password=ADMIN_PASSWORD, last_name="Root")
        )
        await services.mail.configure_gateway(
            SYSTEM,
            GatewayInput(host="127.0.0.1", port=free_port(), security=SmtpSecurity.NONE,
                         sender_address="connect@example.org", username="mailer",
                         password="Smtp-Secret-1"),
        )  # fmt: skip
    finally:
        await engine.dispose()


def test_a_lost_key_file_is_said_at_start_by_readyz_and_by_the_api(tmp_path: Path) -> None:
    db = tmp_path / "connect-admin.db"
    url = f"sqlite:///{db}"
    assert connect_admin(tmp_path, "migrate", env={"CONNECT_DATABASE_URL": url}).returncode == 0
    asyncio.run(_gateway_with_a_password(url))
    key_file = secret_key_file(url)
    assert key_file is not None
    assert key_file.exists()
    key_file.unlink()  # lost: serve makes a new key

    port = free_port()
    with connect_admin_process(["serve", "--port", str(port)], environment(db), LISTENING) as s:
        base = f"http://127.0.0.1:{port}"
        ready = httpx.get(f"{base}/readyz", timeout=10)
        signed_in = httpx.post(
            f"{base}/graphql", timeout=10,
            json={"query": 'mutation { adminSignIn(login: "root", password: "'
                  + ADMIN_PASSWORD + '") { token } }'},
        ).json()  # fmt: skip
        token = signed_in["data"]["adminSignIn"]["token"]
        sent = httpx.post(
            f"{base}/graphql", timeout=30, headers={"Authorization": f"Bearer {token}"},
            json={"query": 'mutation { sendTestEmail(to: "me@example.org") '
                  "{ ok errors { code message } } }"},
        ).json()  # fmt: skip
        log = s.output

    assert "encrypted with another CONNECT_SECRET_KEY" in log
    assert ready.status_code == 503
    assert "another CONNECT_SECRET_KEY" in ready.json()["reason"]
    [error] = sent["data"]["sendTestEmail"]["errors"]
    assert error["code"] == "MAIL_GATEWAY_INVALID"
    assert "System settings > E-Mail Gateway" in error["message"]
    assert "Smtp-Secret-1" not in log

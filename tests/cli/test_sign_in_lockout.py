"""Sign-in lockouts against a running server: guesses from one address lock the login
for that address alone, the owner still signs in from another, /metrics counts the
lockout, and ``connect-admin unlock`` lifts it.

The server trusts ``X-Forwarded-For`` from 127.0.0.1 (uvicorn's default, for a
reverse proxy on the same host): that is how the test speaks from several addresses.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from persistence.migrate import upgrade
from tests.cli.serving import ROOT, connect_admin_process, free_port
from tests.cli.test_database_faults import LISTENING, PASSWORD, create_admin
from tests.cli.test_mail_processes import database_environment

SIGN_IN = (
    'mutation($p: String!) { adminSignIn(login: "root", password: $p) '
    "{ token errors { code message } } }"
)
ATTACKER = "203.0.113.7"
OWNER = "198.51.100.1"


def sign_in(port: int, password: str, address: str) -> dict[str, object]:
    response = httpx.post(
        f"http://127.0.0.1:{port}/graphql",
        json={"query": SIGN_IN, "variables": {"p": password}},
        headers={"X-Forwarded-For": address},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    payload: dict[str, object] = response.json()["data"]["adminSignIn"]
    return payload


def codes(payload: dict[str, object]) -> list[object]:
    errors = payload["errors"]
    assert isinstance(errors, list)
    return [error["code"] for error in errors]


def lockouts(port: int) -> float:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=30).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "connect_admin_sign_in_lockouts"
        and sample.labels["account_kind"] == "ADMINISTRATOR"
    )


def test_guesses_lock_out_their_address_only_and_the_command_line_lifts_it(
    tmp_path: Path,
) -> None:
    db = tmp_path / "connect-admin.db"
    port = free_port()
    env = database_environment(
        f"sqlite:///{db}",
        # /metrics reads the database figures fresh at each scrape.
        CONNECT_METRICS_OUTBOX_SECONDS="0",
    )
    upgrade(f"sqlite:///{db}")
    create_admin(env)
    with connect_admin_process(["serve", "--port", str(port)], env, LISTENING):
        for _ in range(10):
            assert codes(sign_in(port, "wrong", ATTACKER)) == ["INVALID_CREDENTIALS"]
        # The stranger is locked out, even with the right password ...
        assert codes(sign_in(port, PASSWORD, ATTACKER)) == ["TOO_MANY_ATTEMPTS"]
        # ... the owner is not.
        assert sign_in(port, PASSWORD, OWNER)["token"]
        assert lockouts(port) == 1

        unlocked = subprocess.run(
            [sys.executable, "-m", "connect_admin", "unlock", "root"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert unlocked.returncode == 0, unlocked.stderr
        assert "Lifted 1 sign-in lockouts of root" in unlocked.stdout

        assert sign_in(port, PASSWORD, ATTACKER)["token"]
        assert lockouts(port) == 0

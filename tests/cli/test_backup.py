"""``connect-admin backup`` and ``restore``: a copy taken midway through a reset, put in
place in a fresh folder, serves the same data and still reads its stored secrets."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from domain.model import SmtpSecurity
from domain.principals import SYSTEM
from domain.services import locations, users
from domain.services.administrators import NewAdministrator
from domain.services.config import ServiceConfig
from domain.services.mail import GatewayInput
from domain.services.reset_outcomes import ResetOption, UserResetStatus
from persistence.database import create_engine
from persistence.migrate import upgrade
from server.commandline.backup import Copy, backup_database
from server.container import build_services
from server.settings import Settings
from tests.cli.serving import ROOT, Served, connect_admin_process, free_port
from tests.smtp_server import SmtpServer, TlsCertificate

USERS = 1_000
ADMIN_PASSWORD = "Backup-and-restore-1"
SMTP_USER, SMTP_PASSWORD = "mailer", "gateway-secret-7"


def environment(db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}
    env.update(CONNECT_DATABASE_URL=f"sqlite:///{db}", CONNECT_MAX_PAGE_SIZE=str(USERS), **extra)
    return env


def settings(db: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{db}")  # type: ignore[call-arg]


def connect_admin(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "connect_admin", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def organisation(db: Path, smtp: SmtpServer) -> list[int]:
    """An administrator, a location of USERS users, and a gateway that needs its password;
    answers the users' ids."""

    async def fill() -> list[int]:
        url = f"sqlite:///{db}"
        engine = create_engine(url)
        try:
            services = build_services(engine, Settings(database_url=url))  # type: ignore[call-arg]
            await services.administrators.create_administrator(
                SYSTEM, NewAdministrator(login="admin", password=ADMIN_PASSWORD, last_name="Admin")
            )
            await services.mail.configure_gateway(
                SYSTEM,
                GatewayInput(host=smtp.host, port=smtp.port, security=SmtpSecurity.STARTTLS,
                             username=SMTP_USER, password=SMTP_PASSWORD,
                             sender_address="connect@example.org"),
            )  # fmt: skip
            hq = await services.locations.create_location(SYSTEM, locations.NewLocation(name="HQ"))
            ids = []
            for number in range(USERS):
                user = await services.users.create_user(
                    SYSTEM,
                    users.NewUser(login=f"user{number}", last_name=f"User {number}",
                                  location_id=hq.id, email=f"user{number}@example.org"),
                )  # fmt: skip
                ids.append(user.id)
            return ids
        finally:
            await engine.dispose()

    upgrade(f"sqlite:///{db}")
    return asyncio.run(fill())


def reset_with_a_backup_midway(db: Path, backup: Path, ids: list[int]) -> tuple[int, Copy]:
    """Resets the users ``ids`` of ``db``, taking a backup to ``backup`` as the first batch is
    stored: the reset waits for its progress report, so the next batch waits for the
    backup, however fast or slow the machine. Answers how many users were reset when
    the backup was taken, and the backup."""
    taken: list[tuple[int, Copy]] = []

    async def reset() -> None:
        url = f"sqlite:///{db}"
        engine = create_engine(url)

        async def back_up_once(done: int, total: int) -> None:
            if done and not taken:
                taken.append((users_reset(db), backup_database(settings(db), backup)))

        try:
            services = build_services(engine, Settings(database_url=url))  # type: ignore[call-arg]
            outcomes = await services.reset.reset_users(
                SYSTEM,
                [(str(user_id), user_id) for user_id in ids],
                [ResetOption.CLIENT_SETTINGS, ResetOption.PRESENCE_SETTINGS,
                 ResetOption.RELATIONSHIPS, ResetOption.CONTACT_LIST],
                on_progress=back_up_once,
            )  # fmt: skip
            assert {outcome.status for outcome in outcomes} == {UserResetStatus.SUCCEEDED}
        finally:
            await engine.dispose()

    asyncio.run(reset())
    [(reset_so_far, copy)] = taken
    return reset_so_far, copy


@contextmanager
def serving(db: Path, **extra: str) -> Iterator[tuple[Served, httpx.Client]]:
    port = free_port()
    env = environment(db, **extra)
    with (
        connect_admin_process(["serve", "--port", str(port)], env, "Uvicorn running on") as server,
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client,
    ):
        answer = client.post(
            "/graphql",
            json={
                "query": 'mutation($p: String!) { adminSignIn(login: "admin", password: $p) '
                "{ token } }",
                "variables": {"p": ADMIN_PASSWORD},
            },
        )
        client.headers["Authorization"] = f"Bearer {answer.json()['data']['adminSignIn']['token']}"
        yield server, client


def graphql(client: httpx.Client, query: str, **variables: object) -> Any:
    answer = client.post("/graphql", json={"query": query, "variables": variables}).json()
    assert "errors" not in answer, answer
    return answer["data"]


def users_reset(db: Path) -> int:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as database:
        (audited,) = database.execute(
            "SELECT count(*) FROM audit_events WHERE action = 'USER_RESET'"
        ).fetchone()
    return int(audited)


@pytest.fixture(scope="module")
def certificate() -> TlsCertificate:
    return TlsCertificate.create()


def test_a_backup_taken_during_a_reset_restores_elsewhere_and_serves(
    tmp_path: Path, certificate: TlsCertificate
) -> None:
    trusted = tmp_path / "ca.pem"
    trusted.write_bytes(certificate.ca_pem)
    live, backup = tmp_path / "live" / "connect-admin.db", tmp_path / "backups" / "monday.db"
    live.parent.mkdir()
    backup.parent.mkdir()
    with SmtpServer(
        certificate=certificate, starttls=True, users={SMTP_USER: SMTP_PASSWORD}
    ) as smtp:
        ids = organisation(live, smtp)
        reset_so_far, copy = reset_with_a_backup_midway(live, backup, ids)
        assert copy.key == backup.parent / "monday.db.secret"
        assert users_reset(live) == USERS
        # Mid-reset, and whole batches only: each batch is one transaction.
        audited = users_reset(backup)
        assert audited == reset_so_far == ServiceConfig().reset_batch_size, audited

        fresh = tmp_path / "elsewhere" / "connect-admin.db"
        fresh.parent.mkdir()
        restored = connect_admin("restore", str(backup), env=environment(fresh))
        assert restored.returncode == 0, restored.stderr
        assert f"Restored {USERS} users" in restored.stdout
        key = (tmp_path / "live" / "connect-admin.db.secret").read_text()
        assert (fresh.parent / "connect-admin.db.secret").read_text() == key
        with serving(fresh, SSL_CERT_FILE=str(trusted)) as (_, client):
            data = graphql(client, "{ users(first: 0) { totalCount } }")
            assert data["users"] == {"totalCount": USERS}
            sent = graphql(
                client, 'mutation { sendTestEmail(to: "ops@example.org") { ok errors { code } } }'
            )
            assert sent["sendTestEmail"] == {"ok": True, "errors": []}
        # The restored database decrypted the gateway's password and signed in with it.
        assert [m.auth_user for m in smtp.received] == [SMTP_USER]


def test_the_commands_refuse_what_would_lose_data(tmp_path: Path) -> None:
    live, backup = tmp_path / "connect-admin.db", tmp_path / "copy.db"
    made = connect_admin("demo-data", env=environment(live))
    assert made.returncode == 0, made.stderr

    backed_up = connect_admin("backup", str(backup), env=environment(live))
    assert backed_up.returncode == 0, backed_up.stderr
    assert f"to {backup}" in backed_up.stdout
    assert f"Its secret key is in {backup}.secret" in backed_up.stdout
    assert Path(f"{backup}.secret").stat().st_mode & 0o777 == 0o600
    again = connect_admin("backup", str(backup), env=environment(live))
    assert (again.returncode, again.stderr) == (
        1, f"connect-admin: error: {backup} already exists; name a new file for the backup\n"
    )  # fmt: skip

    port = free_port()
    with connect_admin_process(
        ["serve", "--port", str(port)], environment(live), "Uvicorn running"
    ):
        in_use = connect_admin("restore", "--replace", str(backup), env=environment(live))
    assert in_use.returncode == 1
    assert "is in use (a server or mail dispatcher runs on it)" in in_use.stderr
    over = connect_admin("restore", str(backup), env=environment(live))
    assert over.returncode == 1
    assert "add --replace to overwrite it" in over.stderr
    replaced = connect_admin("restore", "--replace", str(backup), env=environment(live))
    assert replaced.returncode == 0, replaced.stderr

    elsewhere = tmp_path / "elsewhere.db"
    Path(f"{backup}.secret").rename(tmp_path / "kept.secret")
    keyless = connect_admin("restore", str(backup), env=environment(elsewhere))
    assert keyless.returncode == 1
    assert "the backup has no key beside it" in keyless.stderr
    assert not elsewhere.exists()

    with closing(sqlite3.connect(backup)) as database, database:
        database.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    (tmp_path / "kept.secret").rename(f"{backup}.secret")
    newer = connect_admin("restore", str(backup), env=environment(elsewhere))
    assert newer.returncode == 1
    assert "the backup is of a newer release (database revision 9999_from_the_future)" in (
        newer.stderr
    )
    assert not elsewhere.exists()


def test_postgresql_is_backed_up_with_its_own_tools(tmp_path: Path) -> None:
    env = environment(tmp_path / "unused.db")
    env["CONNECT_DATABASE_URL"] = "postgresql://connect@127.0.0.1:1/connect"
    env["CONNECT_SECRET_KEY"] = Fernet.generate_key().decode()
    refused = connect_admin("backup", str(tmp_path / "copy.db"), env=env)
    assert refused.returncode == 2
    assert "back up PostgreSQL with pg_dump and restore it with pg_restore" in refused.stderr

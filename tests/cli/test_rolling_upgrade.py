"""A rolling upgrade: the previous release, taken from the repository's history, and this
one serve one PostgreSQL database at once, before, during and after this one migrates
it; and a database a newer release migrated is served by an older one only while the
newer release's migrations kept what the older one uses (docs/operators/upgrades.md)."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from persistence.migrate import head_revision, upgrade
from tests.cli.serving import LISTENING, ROOT, Served, free_port, served

KEY = {"CONNECT_SECRET_KEY": "a-key-for-the-rolling-upgrade-tests"}
RELEASED = ROOT / "docs" / "released"
ADMIN = {"login": "admin", "password": "ConnectAdmin!2026"}
UNKNOWN_REVISION = "9999_of_a_newer_release"


def newest_release() -> tuple[str, str]:
    """The newest released version and the commit that released it (the commit that added
    its schema to docs/released/)."""
    versions = sorted(
        (tuple(int(part) for part in path.stem.removeprefix("schema-").split(".")), path)
        for path in RELEASED.glob("schema-*.graphql")
    )
    version, path = versions[-1]
    found = subprocess.run(
        ["git", "log", "--diff-filter=A", "--format=%H", "-1", "--", str(path.relative_to(ROOT))],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    commit = found.stdout.strip()
    if found.returncode != 0 or not commit:
        pytest.skip("not a git checkout with its history: the previous release is not at hand")
    return ".".join(map(str, version)), commit


@pytest.fixture(scope="module")
def previous_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The newest release's tree, as the repository's history keeps it."""
    _, commit = newest_release()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit], cwd=ROOT, capture_output=True, check=True
    )
    tree = tmp_path_factory.mktemp("previous-release")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(tree, filter="data")
    return tree


def environment(tree: Path, database_url: str) -> dict[str, str]:
    """The release in ``tree`` first on the path; the shared virtual environment's
    packages for the rest (each release runs with the dependencies it declared)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("CONNECT_")}
    return {**env, **KEY, "CONNECT_DATABASE_URL": database_url, "PYTHONPATH": str(tree)}


def command(tree: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "connect_admin", *args], cwd=tree,
        env=environment(tree, database_url), capture_output=True, text=True, timeout=180,
        check=False,
    )  # fmt: skip


@contextmanager
def serving(tree: Path, database_url: str) -> Iterator[Release]:
    port = free_port()
    args = [sys.executable, "-m", "connect_admin", "serve", "--port", str(port)]
    with served(args, tree, environment(tree, database_url)) as process:
        process.wait_for(LISTENING)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield Release(process, client)


class Release:
    """One release's server, signed in as the demo data's administrator."""

    def __init__(self, process: Served, client: httpx.Client) -> None:
        self.process = process
        self.client = client
        signed_in = self.data(
            "mutation($login: String!, $password: String!) {"
            " adminSignIn(login: $login, password: $password) { token errors { code } } }",
            ADMIN,
            authorised=False,
        )["adminSignIn"]
        assert signed_in["errors"] == [], signed_in
        self.token = signed_in["token"]

    def data(
        self, query: str, variables: Mapping[str, Any] | None = None, authorised: bool = True
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if authorised else {}
        answer = self.client.post(
            "/graphql", json={"query": query, "variables": dict(variables or {})}, headers=headers
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert "errors" not in body, body
        result: dict[str, Any] = body["data"]
        return result

    def users_page(self) -> dict[str, Any]:
        return self.data(
            "{ users(first: 20) { totalCount edges { node { id login displayName isVip } } } }"
        )["users"]

    def reset_client_settings(self, user_id: str) -> str:
        payload = self.data(
            "mutation($ids: [ID!]!) { resetUsers(ids: $ids,"
            " options: {resetClientSettings: true}) { results { status } errors { code } } }",
            {"ids": [user_id]},
        )["resetUsers"]
        assert payload["errors"] == [], payload
        status: str = payload["results"][0]["status"]
        return status

    def ready(self) -> int:
        return self.client.get("/readyz").status_code


@pytest.mark.postgres
def test_the_previous_release_serves_while_and_after_this_one_migrates(
    previous_release: Path, empty_postgres: str
) -> None:
    for step in ("migrate", "demo-data"):
        done = command(previous_release, empty_postgres, step)
        assert done.returncode == 0, done.stderr

    with serving(previous_release, empty_postgres) as old:
        before = old.users_page()
        assert before["totalCount"] == 12

        migrated = command(ROOT, empty_postgres, "migrate")
        assert migrated.returncode == 0, migrated.stderr

        # The older host goes on serving the migrated database: reads and writes.
        assert old.users_page() == before
        first_user = before["edges"][0]["node"]["id"]
        assert old.reset_client_settings(first_user) == "SUCCEEDED"
        assert old.ready() == 200

        with serving(ROOT, empty_postgres) as new:
            assert new.users_page() == before
            assert new.reset_client_settings(before["edges"][1]["node"]["id"]) == "SUCCEEDED"
            assert new.ready() == 200
            assert old.users_page() == new.users_page()

    # An older host restarting mid-upgrade starts on the newer database, and says so.
    again = command(previous_release, empty_postgres, "migrate")
    assert again.returncode == 0, again.stderr
    with serving(previous_release, empty_postgres) as restarted:
        assert restarted.users_page() == before
        assert restarted.ready() == 200


def pretend_a_newer_release(database_url: str, oldest_revision: str | None = None) -> None:
    """The database as a newer release leaves it: at a revision this one does not know,
    and, when ``oldest_revision`` is given, with a contracting migration's record."""

    async def run() -> None:
        connection = await asyncpg.connect(database_url)
        try:
            await connection.execute(
                "UPDATE alembic_version SET version_num = $1", UNKNOWN_REVISION
            )
            if oldest_revision is not None:
                await connection.execute(
                    "UPDATE release_compatibility SET oldest_revision = $1", oldest_revision
                )
        finally:
            await connection.close()

    asyncio.run(run())


@pytest.mark.postgres
def test_a_database_a_newer_release_only_added_to_is_served(empty_postgres: str) -> None:
    upgrade(empty_postgres)
    assert command(ROOT, empty_postgres, "demo-data").returncode == 0
    pretend_a_newer_release(empty_postgres)

    migrated = command(ROOT, empty_postgres, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert f"is at revision {UNKNOWN_REVISION} of a newer release" in migrated.stdout
    with serving(ROOT, empty_postgres) as release:
        assert "upgrade this host too" in release.process.output
        assert release.ready() == 200
        assert release.users_page()["totalCount"] == 12


@pytest.mark.postgres
def test_a_database_a_newer_release_contracted_is_refused(empty_postgres: str) -> None:
    upgrade(empty_postgres)
    pretend_a_newer_release(empty_postgres, oldest_revision=UNKNOWN_REVISION)

    served_ = command(ROOT, empty_postgres, "serve", "--port", str(free_port()))
    assert served_.returncode == 2
    assert "which this release cannot serve" in served_.stderr
    assert f"this release needs {head_revision()}" in served_.stderr
    assert "GraphiQL at" not in served_.stdout

"""The ``connect-admin`` command line, run as a separate process in an empty folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PASSWORD = "Tr0ub4dor&3-horse"


def connect_admin(
    cwd: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "server.commandline.cli", *args],
        cwd=cwd,
        env=environment,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def create_admin(cwd: Path, login: str, password: str) -> subprocess.CompletedProcess[str]:
    return connect_admin(
        cwd, "create-admin", "--login", login, "--last-name", "Root", "--password-stdin",
        stdin=password + "\n",
    )  # fmt: skip


def test_migrate_creates_the_database_in_the_working_folder(tmp_path: Path) -> None:
    result = connect_admin(tmp_path, "migrate")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "connect-admin.db").is_file()
    again = connect_admin(tmp_path, "migrate")
    assert again.returncode == 0, again.stderr


def test_create_admin_reads_the_password_from_stdin(tmp_path: Path) -> None:
    first = create_admin(tmp_path, "root", PASSWORD)
    assert first.returncode == 0, first.stderr
    assert "root" in first.stdout
    assert PASSWORD not in first.stdout + first.stderr

    second = create_admin(tmp_path, "root", PASSWORD)
    assert second.returncode == 1
    assert "LOGIN_TAKEN" in second.stderr
    assert PASSWORD not in second.stdout + second.stderr


def test_create_admin_refuses_an_empty_password(tmp_path: Path) -> None:
    result = create_admin(tmp_path, "root", "")
    assert result.returncode != 0
    assert "empty" in result.stderr


def test_create_admin_reports_the_password_policy(tmp_path: Path) -> None:
    result = create_admin(tmp_path, "root", "short")
    assert result.returncode == 1
    assert "PASSWORD_POLICY" in result.stderr
    assert "short" not in result.stdout


def test_demo_data_fills_only_an_empty_database(tmp_path: Path) -> None:
    first = connect_admin(tmp_path, "demo-data")
    assert first.returncode == 0, first.stderr
    assert "admin" in first.stdout
    assert (tmp_path / "connect-admin.db").is_file()

    second = connect_admin(tmp_path, "demo-data")
    assert second.returncode == 1, second.stdout
    assert "is not empty" in second.stderr
    assert "Nothing changed" in second.stderr


def test_export_schema_writes_the_sdl(tmp_path: Path) -> None:
    from gql.limits import Limits
    from gql.schema import build_schema

    schema = build_schema(Limits())

    result = connect_admin(tmp_path, "export-schema", "--output", "x.graphql")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "x.graphql").read_text(encoding="utf-8") == schema.as_str() + "\n"

    to_stdout = connect_admin(tmp_path, "export-schema", "--output", "-")
    assert to_stdout.returncode == 0, to_stdout.stderr
    assert to_stdout.stdout == schema.as_str() + "\n"


def test_serve_on_postgresql_needs_a_secret_key(tmp_path: Path) -> None:
    result = connect_admin(
        tmp_path, "serve", env={"CONNECT_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"}
    )
    assert result.returncode == 2
    assert "CONNECT_SECRET_KEY is required" in result.stderr


def test_an_invalid_setting_is_a_configuration_error(tmp_path: Path) -> None:
    result = connect_admin(tmp_path, "migrate", env={"CONNECT_MAX_PAGE_SIZE": "many"})
    assert result.returncode == 2
    assert "max_page_size" in result.stderr


@pytest.mark.parametrize("module", ["connect_admin", "server.commandline.cli"])
def test_runs_as_a_module(tmp_path: Path, module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for command in ("serve", "migrate", "create-admin", "demo-data", "export-schema"):
        assert command in result.stdout


def test_a_bad_database_url_is_reported_without_its_password(tmp_path: Path) -> None:
    result = connect_admin(
        tmp_path, "migrate", env={"CONNECT_DATABASE_URL": "postgresql://u:s3cret@host:badport/db"}
    )
    assert result.returncode == 2
    assert "database_url" in result.stderr
    assert "s3cret" not in result.stderr + result.stdout

"""The command line explains itself: every command and option has a help text,
``connect-admin --help`` lists every environment variable with its default, ``config``
prints the configuration in effect without a secret, ``--version`` the release, and
docs/operators/command-line.md holds the help of every command as the program prints it."""

from __future__ import annotations

import argparse
from importlib.metadata import version
from pathlib import Path

import pytest

from server.commandline.cli import parsers
from server.commandline.environment import MEANINGS
from server.settings import Settings
from tests.cli.test_command_line import connect_admin
from tools.command_line_doc import with_section

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "operators" / "command-line.md"


@pytest.mark.parametrize("name", [name for name in parsers() if name])
def test_every_command_and_option_says_what_it_does(name: str) -> None:
    parser = parsers()[name]
    assert parser.description, f"connect-admin {name} has no description"
    silent = [
        action.dest
        for action in parser._actions
        if not action.help or action.help == argparse.SUPPRESS
    ]
    assert silent == [], f"connect-admin {name}: options without help text"


def test_every_setting_has_a_meaning() -> None:
    assert sorted(MEANINGS) == sorted(Settings.model_fields)


def test_help_lists_every_environment_variable_with_its_default(tmp_path: Path) -> None:
    result = connect_admin(tmp_path, "--help")

    assert result.returncode == 0, result.stderr
    assert "  CONNECT_MAX_PAGE_SIZE=100\n" in result.stdout
    assert "  CONNECT_MAIL_DISPATCHER=true\n" in result.stdout
    assert "unset: the SQLite file connect-admin.db in the working folder" in result.stdout
    for name in Settings.model_fields:
        assert f"  CONNECT_{name.upper()}=" in result.stdout, name


def test_config_prints_the_configuration_in_effect_without_secrets(tmp_path: Path) -> None:
    result = connect_admin(
        tmp_path,
        "config",
        env={
            "CONNECT_DATABASE_URL": "postgresql://connect:s3cret-Pa55@db.example:5432/connect",
            "CONNECT_SECRET_KEY": "the-secret-key-itself",
            "CONNECT_MAX_PAGE_SIZE": "50",
        },
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "environment  CONNECT_DATABASE_URL=postgresql://connect:***@db.example:5432/connect" in (
        lines
    )
    assert "environment  CONNECT_SECRET_KEY=***" in lines
    assert "environment  CONNECT_MAX_PAGE_SIZE=50" in lines
    assert "default      CONNECT_SESSION_TTL_MINUTES=720" in lines
    assert "s3cret-Pa55" not in result.stdout + result.stderr
    assert "the-secret-key-itself" not in result.stdout + result.stderr
    assert len(lines) == len(Settings.model_fields)


def test_config_names_the_sqlite_file_and_its_key_file(tmp_path: Path) -> None:
    result = connect_admin(tmp_path, "config")

    assert result.returncode == 0, result.stderr
    database = tmp_path / "connect-admin.db"
    assert f"default      CONNECT_DATABASE_URL=sqlite:///{database}" in result.stdout
    assert f"CONNECT_SECRET_KEY unset: the key file {database}.secret" in result.stdout
    # It only reads: no database and no key are made.
    assert not database.exists()


def test_version_prints_the_release(tmp_path: Path) -> None:
    result = connect_admin(tmp_path, "--version")

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"connect-admin {version('connect-admin')}\n"


def test_the_command_line_page_holds_every_command_s_help() -> None:
    page = PAGE.read_text(encoding="utf-8")
    assert page == with_section(page), (
        "run: .venv/bin/python -m tools.command_line_doc --output docs/operators/command-line.md"
    )
    for name in parsers():
        assert f"### connect-admin {name}".strip() in page

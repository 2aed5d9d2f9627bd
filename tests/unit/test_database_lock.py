"""The flock that keeps ``restore`` and a running process off each other's database."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.commandline.database_lock import DatabaseInUse, exclusively, hold_database
from server.settings import ConfigurationError, Settings


def test_restore_is_refused_while_a_process_holds_the_database(tmp_path: Path) -> None:
    db = tmp_path / "connect-admin.db"
    db.write_bytes(b"")
    held = hold_database(Settings(database_url=f"sqlite:///{db}"))
    with held, pytest.raises(DatabaseInUse, match="is in use"), exclusively(db):
        pass
    with exclusively(db):  # released
        pass


def test_a_process_does_not_start_during_a_restore(tmp_path: Path) -> None:
    db = tmp_path / "connect-admin.db"
    db.write_bytes(b"")
    held = hold_database(Settings(database_url=f"sqlite:///{db}"))
    with exclusively(db), pytest.raises(ConfigurationError, match="being restored"), held:
        pass


def test_a_missing_file_is_not_locked(tmp_path: Path) -> None:
    with exclusively(tmp_path / "none.db"), exclusively(tmp_path / "none.db"):
        pass

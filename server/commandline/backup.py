"""``connect-admin backup`` and ``restore`` for the embedded SQLite database.

A backup is itself a database file, with its secret key beside it as the database's
own key is (``<file>.secret``): the key decrypts every stored secret (the gateway's
password), so the two travel together. The copy is taken with SQLite's online backup
API in one step, a read transaction of its own: consistent while the server writes
(WAL: the writers do not wait for it).

``restore`` takes the database file's lock exclusively (``database_lock.py``), so it
never replaces a database under a running process.
PostgreSQL is backed up with its own tools (docs/operators/backup.md).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from persistence.database import sqlite_file
from persistence.migrate import known_revisions
from server.commandline.commands import EXIT_OK, CommandError, migrate_database
from server.commandline.database_lock import exclusively
from server.settings import SECRET_FILE_SUFFIX, ConfigurationError, Settings, secret_key_file

POSTGRESQL_HOW = (
    "back up PostgreSQL with pg_dump and restore it with pg_restore "
    "(see docs/operators/backup.md); keep CONNECT_SECRET_KEY with the dump"
)
# How long a backup waits for a writer that holds the database in rollback-journal mode.
BUSY_SECONDS = 30.0


@dataclass(frozen=True)
class Copy:
    """What a backup or restore wrote."""

    database: Path
    key: Path | None
    revision: str
    users: int


def backup_database(settings: Settings, target: Path) -> Copy:
    source = embedded_database(settings)
    if not source.is_file():
        raise CommandError(f"there is no database at {source} to back up")
    target = target.absolute()
    if target.exists() or _key_beside(target).exists():
        raise CommandError(f"{target} already exists; name a new file for the backup")
    if not target.parent.is_dir():
        raise CommandError(f"the folder {target.parent} does not exist")
    key = None if _given_key(settings) else secret_key_file(settings.database_url)
    if key is not None and not key.is_file():
        raise CommandError(f"the database's secret key {key} is missing; its secrets are lost")
    with _partial(target) as partial:
        _copy(source, partial)
        revision, users = _check(partial)
        _single_file(partial)
        if key is not None:
            _copy_key(key, _key_beside(target))
        os.replace(partial, target)
    return Copy(target, _key_beside(target) if key is not None else None, revision, users)


def restore_database(settings: Settings, backup: Path, *, replace: bool) -> Copy:
    target = embedded_database(settings)
    backup = backup.absolute()
    if not backup.is_file():
        raise CommandError(f"there is no backup at {backup}")
    revision, users = _check(backup)
    if revision not in known_revisions():
        raise CommandError(
            f"the backup is of a newer release (database revision {revision}); "
            "restore it with that release or a newer one"
        )
    backup_key = _key_beside(backup)
    key = _restored_key(settings, backup_key)
    if not target.parent.is_dir():
        raise CommandError(f"the folder {target.parent} does not exist")
    with exclusively(target):
        if target.exists() and target.stat().st_size > 0 and not replace:
            raise CommandError(
                f"a database exists at {target}; add --replace to overwrite it with the backup"
            )
        _copy(backup, target)
        if key is not None:
            _copy_key(key, _key_beside(target))
    return Copy(target, _key_beside(target) if key is not None else None, revision, users)


def backup_command(args: argparse.Namespace, settings: Settings) -> int:
    copy = backup_database(settings, Path(args.path))
    print(f"Backed up {copy.users} users (database revision {copy.revision}) to {copy.database}.")
    if copy.key is None:
        print("The secret key is CONNECT_SECRET_KEY: keep it with the backup, it is not in it.")
    else:
        print(f"Its secret key is in {copy.key}: keep the two together, and the key secret.")
    return EXIT_OK


def restore_command(args: argparse.Namespace, settings: Settings) -> int:
    copy = restore_database(settings, Path(args.path), replace=args.replace)
    migrate_database(settings)
    print(f"Restored {copy.users} users (database revision {copy.revision}) to {copy.database}.")
    return EXIT_OK


def embedded_database(settings: Settings) -> Path:
    path = sqlite_file(settings.database_url)
    if path is None:
        if settings.database_url.startswith("sqlite"):
            raise ConfigurationError("an in-memory SQLite database has nothing to back up")
        raise ConfigurationError(POSTGRESQL_HOW)
    return path


def _copy(source: Path, target: Path) -> None:
    with (
        contextlib.closing(sqlite3.connect(source, timeout=BUSY_SECONDS)) as reading,
        contextlib.closing(sqlite3.connect(target, timeout=BUSY_SECONDS)) as writing,
    ):
        reading.backup(writing)


def _check(path: Path) -> tuple[str, int]:
    """The backup's schema revision and its number of users, once SQLite found it whole."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as database:
            (integrity,) = database.execute("PRAGMA integrity_check").fetchone()
            if integrity != "ok":
                raise CommandError(f"{path} is damaged: {integrity}")
            revision = database.execute("SELECT version_num FROM alembic_version").fetchone()
            (users,) = database.execute("SELECT count(*) FROM users").fetchone()
    except sqlite3.DatabaseError as error:
        raise CommandError(f"{path} is not a Connect Admin database: {error}") from None
    if revision is None:
        raise CommandError(f"{path} is not a Connect Admin database: it has no schema revision")
    return str(revision[0]), int(users)


def _single_file(path: Path) -> None:
    """A backup in one file: without the WAL mode the source had, no -wal beside it."""
    with contextlib.closing(sqlite3.connect(path)) as database:
        database.execute("PRAGMA journal_mode=DELETE")


def _restored_key(settings: Settings, backup_key: Path) -> Path | None:
    """The key file to restore beside the database; None when CONNECT_SECRET_KEY is it."""
    given = _given_key(settings)
    if not given:
        if not backup_key.is_file():
            raise CommandError(
                f"the backup has no key beside it ({backup_key}): its stored secrets cannot be "
                "read; put the key there, or set CONNECT_SECRET_KEY to the key it was made with"
            )
        return backup_key
    if backup_key.is_file() and backup_key.read_text(encoding="ascii").strip() != given:
        raise CommandError(
            f"CONNECT_SECRET_KEY is not the key beside the backup ({backup_key}); "
            "unset it to use the backup's key, or set the key the backup was made with"
        )
    return None


def _copy_key(key: Path, target: Path) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(descriptor, "wb") as file, key.open("rb") as source:  # mode 0600
            shutil.copyfileobj(source, file)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def _partial(target: Path) -> Iterator[Path]:
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        yield partial
    finally:
        partial.unlink(missing_ok=True)


def _given_key(settings: Settings) -> str:
    """CONNECT_SECRET_KEY, or "" when the key file beside the database is the key."""
    return "" if settings.secret_key is None else settings.secret_key.get_secret_value().strip()


def _key_beside(database: Path) -> Path:
    return database.with_name(database.name + SECRET_FILE_SUFFIX)

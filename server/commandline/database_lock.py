"""Who uses the embedded SQLite database file, for ``restore`` to see.

A running ``serve`` or ``dispatch-mail`` holds a shared ``flock`` on the database file
(:func:`hold_database`); ``restore`` takes it exclusively (:func:`exclusively`), so it
never replaces a database under a running process, and a server does not start
during a restore. flock's locks and SQLite's own POSIX locks do not interact.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from persistence.database import sqlite_file
from server.settings import ConfigurationError, Settings


class DatabaseInUse(Exception):
    """Another process uses the database file."""


@contextlib.contextmanager
def hold_database(settings: Settings) -> Iterator[None]:
    """While a process uses the embedded database: ``restore`` waits for it to end."""
    path = sqlite_file(settings.database_url)
    if path is None or not path.exists():
        yield
        return
    # Opened once and closed only when the process is done with the database: SQLite's
    # own POSIX locks die when any descriptor of the file closes, flock's do not mix.
    descriptor = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigurationError(
                f"the database {path} is being restored; start again when the restore is done"
            ) from None
        yield
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def exclusively(path: Path) -> Iterator[None]:
    """While nothing else uses the database file; refused at once when something does."""
    if not path.exists():
        yield
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(
                f"the database {path} is in use (a server or mail dispatcher runs on it); "
                "stop it before restoring"
            ) from None
        yield
    finally:
        os.close(descriptor)

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
    if path is None:
        yield
        return
    refused = ConfigurationError(
        f"the database {path} is being restored; start again when the restore is done"
    )
    with _flocked(path, fcntl.LOCK_SH, refused):
        yield


@contextlib.contextmanager
def exclusively(path: Path) -> Iterator[None]:
    """While nothing else uses the database file; refused at once when something does."""
    refused = DatabaseInUse(
        f"the database {path} is in use (a server or mail dispatcher runs on it); "
        "stop it before restoring"
    )
    with _flocked(path, fcntl.LOCK_EX, refused):
        yield


@contextlib.contextmanager
def _flocked(path: Path, operation: int, refused: Exception) -> Iterator[None]:
    """While the file holds an flock (``operation``: shared or exclusive); ``refused``
    at once when another process holds one that conflicts. A missing file: no lock."""
    if not path.exists():
        yield
        return
    # Opened once and closed only when the process is done with the database: SQLite's
    # own POSIX locks die when any descriptor of the file closes, flock's do not mix.
    descriptor = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, operation | fcntl.LOCK_NB)
        except BlockingIOError:
            raise refused from None
        yield
    finally:
        os.close(descriptor)

"""Database faults that mean "not now": they reach the callers as ServiceUnavailable.

A lock the database did not grant in time (SQLite's busy timeout, PostgreSQL's
lock and statement timeouts, a deadlock), a connection that broke or could not
be made (a restart, ``pg_terminate_backend``, a server that is shutting down
or starting), a database out of resources: none of them is the request's
fault, and trying again later may well succeed. Every engine of
:func:`persistence.database.create_engine` raises them as
:class:`domain.errors.ServiceUnavailable`, which the API answers with HTTP 503
and ``Retry-After`` (never with the statement, whose text the SQLAlchemy error
carries). The original error stays the ``__cause__``, for the log.

Other database errors (a constraint, a programming error) are left as they
are: the layers above mask them as internal errors.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.errors import ServiceUnavailable

# PostgreSQL's SQLSTATE classes and codes of faults that pass: connection exceptions,
# insufficient resources, operator intervention (shutdown, cannot connect now,
# query cancelled), lock not available, serialization failure and deadlock.
TRANSIENT_SQLSTATE_CLASSES = ("08", "53", "57")
TRANSIENT_SQLSTATES = ("55P03", "40001", "40P01")
# SQLite's messages of the same (sqlite3 reports no code through aiosqlite).
TRANSIENT_SQLITE_MESSAGES = (
    "database is locked",
    "database table is locked",
    "disk i/o error",
    "unable to open database",
)
RETRY_AFTER_SECONDS = 1


def is_transient(error: BaseException, *, disconnect: bool = False) -> bool:
    """Whether a database error says "not now" rather than "never"."""
    if disconnect or isinstance(error, ConnectionError | TimeoutError):
        return True
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        original = error.orig
        state = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
        if isinstance(state, str):
            return state.startswith(TRANSIENT_SQLSTATE_CLASSES) or state in TRANSIENT_SQLSTATES
        if isinstance(error, InterfaceError):
            return True
        if isinstance(error, OperationalError):
            message = str(original).lower()
            return any(text in message for text in TRANSIENT_SQLITE_MESSAGES) or not message
        cause = getattr(original, "__cause__", None)
        return isinstance(cause, OSError)
    return isinstance(error, OSError)


def _as_unavailable(context: ExceptionContext) -> None:
    if not isinstance(context.original_exception, Exception):
        # A cancellation (a deadline, a client gone): SQLAlchemy discards the
        # connection, and the cancellation goes on as it is.
        return
    error = context.sqlalchemy_exception or context.original_exception
    if not is_transient(error, disconnect=context.is_disconnect):
        return
    raise ServiceUnavailable(
        "The database could not serve the request now.", retry_after=RETRY_AFTER_SECONDS
    ) from error


def report_outages(engine: AsyncEngine) -> None:
    """Makes the engine raise :class:`ServiceUnavailable` for the faults above; the
    pool still discards a connection that broke."""
    listener: Any = _as_unavailable
    event.listen(engine.sync_engine, "handle_error", listener)

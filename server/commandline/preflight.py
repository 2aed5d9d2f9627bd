"""Checks before a process serves: the database named by CONNECT_DATABASE_URL is one we
support, can be reached with the credentials given, and is at the revision this release
needs. Each failure is one message naming what to change; nothing is served meanwhile.

:class:`ConfigurationError` (exit code 2) is for what the operator must change;
:class:`DatabaseUnreachable` (exit code 3) for what may pass by itself (the
server is down or starting), so a supervisor may retry.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import URL, make_url
from sqlalchemy.exc import DBAPIError

from domain.errors import ServiceUnavailable
from persistence.database import create_engine, is_sqlite, sqlite_file
from persistence.migrate import DatabaseState, head_revision, state_on
from server.settings import ConfigurationError

CONNECT_TIMEOUT_SECONDS = 10.0
MIGRATE = "run 'connect-admin migrate' with the same CONNECT_DATABASE_URL"


class DatabaseUnreachable(Exception):
    """The database server could not be reached; it may come back by itself."""


def where(url: str | URL) -> str:
    """The database for a message: backend, user, host, port and name, never a password."""
    return make_url(url).render_as_string(hide_password=True)


def check_sqlite_folder(url: str) -> None:
    """A SQLite file database needs its folder; SQLite would only say "unable to open"."""
    path = sqlite_file(url)
    if path is not None and not path.parent.is_dir():
        raise ConfigurationError(
            f"the folder of the SQLite database does not exist: {path.parent} "
            "(create it, or point CONNECT_DATABASE_URL elsewhere)"
        )


async def database_state(url: str) -> DatabaseState:
    """The database's migration state, or a clear error."""
    check_sqlite_folder(url)
    engine = create_engine(url)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS), engine.connect() as connection:
            return await connection.run_sync(state_on)
    except TimeoutError:
        raise DatabaseUnreachable(
            f"the database at {where(url)} did not answer within {CONNECT_TIMEOUT_SECONDS:g} s"
        ) from None
    except (OSError, DBAPIError, ServiceUnavailable) as error:
        raise explain_connection_error(url, error) from None
    finally:
        await engine.dispose()


async def current_revision(url: str) -> str | None:
    """The database's migration revision (None: no schema), or a clear error."""
    return (await database_state(url)).revision


def explain_connection_error(url: str, error: BaseException) -> Exception:
    """What a failed connection means, as an operator can act on it."""
    chain = _causes(error)
    names = {type(link).__name__ for link in chain}
    cause = chain[-1]
    parsed = make_url(url)
    if names & {"InvalidPasswordError", "InvalidAuthorizationSpecificationError"}:
        return ConfigurationError(
            f"PostgreSQL at {parsed.host}:{parsed.port or 5432} refused the user "
            f"{parsed.username!r}: wrong password, or no such role (CONNECT_DATABASE_URL)"
        )
    if "InvalidCatalogNameError" in names:
        return ConfigurationError(
            f"PostgreSQL at {parsed.host}:{parsed.port or 5432} has no database "
            f"{parsed.database!r}: create it, then {MIGRATE}"
        )
    if is_sqlite(url):
        return ConfigurationError(f"cannot open the SQLite database {parsed.database}: {cause}")
    detail = getattr(cause, "strerror", None) or str(cause) or type(cause).__name__
    return DatabaseUnreachable(f"cannot reach the database at {where(url)}: {detail}")


def _causes(error: BaseException) -> list[BaseException]:
    """The error, the driver's error SQLAlchemy wraps, and what caused each, in order."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = getattr(current, "orig", None) or current.__cause__
    return chain


def check_revision(url: str, state: DatabaseState) -> str | None:
    """None when this release serves the database as it is; a notice when it serves a
    database a newer release migrated (a rolling upgrade); else the reason it cannot."""
    head = head_revision()
    current = state.revision
    if current == head:
        return None
    if current is None:
        raise ConfigurationError(
            f"the database at {where(url)} has no tables of Connect Admin; this release "
            f"needs revision {head}: {MIGRATE}"
        )
    if state.served_by_this_release():
        return (
            f"the database at {where(url)} is at revision {current} of a newer release, "
            f"whose migrations since {head} keep what this release uses: serving it; "
            "upgrade this host too"
        )
    if state.migrated_by_a_newer_release():
        raise ConfigurationError(
            f"the database at {where(url)} is at revision {current} of a newer release, "
            f"which this release cannot serve (it needs a release that knows revision "
            f"{state.oldest_serving or current}); this release needs {head}"
        )
    raise ConfigurationError(
        f"the database at {where(url)} is at revision {current}; this release needs "
        f"{head}: {MIGRATE}"
    )


def check_database(url: str) -> str | None:
    """Reachable, with our credentials, at a revision this release serves; else the
    reason. Returns the notice of :func:`check_revision`, if any."""
    return check_revision(url, asyncio.run(database_state(url)))

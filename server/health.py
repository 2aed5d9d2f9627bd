"""Probes: ``/healthz`` (the process is up) and ``/readyz`` (the database answers).

``/healthz`` touches no database, so a liveness probe never restarts a server for
a database outage. ``/readyz`` reads the database's migration revision within a
short timeout: it is ready when the database answers and is at the revision
this release needs. Its failure reason names the kind of failure only, never
the URL, a user or a password.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse

from persistence.database import read_only
from persistence.migrate import head_revision

READINESS_TIMEOUT_SECONDS = 2.0

logger = logging.getLogger("connect_admin.health")

_NO_CACHE = {"cache-control": "no-store"}


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers=_NO_CACHE)


def readiness_endpoint(
    engine: AsyncEngine, timeout_seconds: float = READINESS_TIMEOUT_SECONDS
) -> Callable[[Request], Awaitable[JSONResponse]]:
    """The ``/readyz`` endpoint for ``engine``."""

    head = head_revision()

    async def readyz(request: Request) -> JSONResponse:
        reason = await database_problem(engine, timeout_seconds, head)
        if reason is None:
            return JSONResponse({"status": "ok"}, headers=_NO_CACHE)
        return JSONResponse({"status": "unavailable", "reason": reason}, 503, headers=_NO_CACHE)

    return readyz


async def database_problem(
    engine: AsyncEngine, timeout_seconds: float, head: str | None = None
) -> str | None:
    """None when the database answers within the timeout at revision ``head`` (or any
    revision when None); otherwise what went wrong."""
    try:
        async with asyncio.timeout(timeout_seconds), read_only(engine) as connection:
            await connection.execute(text("SELECT 1"))
            revision = await _revision(connection) if head is not None else None
    except TimeoutError:
        reason = f"database did not answer within {timeout_seconds:g} s"
    except Exception as error:
        # The class only: a driver's message may name the host, the user or the database.
        reason = f"database unreachable ({type(error).__name__})"
    else:
        if revision == head:
            return None
        reason = (
            f"database at revision {revision or 'none'}, this release needs {head} "
            "(run connect-admin migrate)"
        )
    logger.warning("not ready: %s", reason)
    return reason


async def _revision(connection: AsyncConnection) -> str | None:
    try:
        return (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    except DBAPIError:
        return None  # no alembic_version table: no schema at all

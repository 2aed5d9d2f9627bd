"""Probes: ``/healthz`` (the process is up) and ``/readyz`` (the database answers,
and the stored secrets decrypt with this CONNECT_SECRET_KEY).

``/healthz`` touches no database, so a liveness probe never restarts a server for
a database outage. ``/readyz`` reads the database's migration revision within a
short timeout: it is ready when the database answers and is at a revision
this release serves (its own, or a newer release's that only added to it). Its
failure reason names the kind of failure only, never the URL, a user or a password.
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
from persistence.migrate import DatabaseState, head_revision, state_on

READINESS_TIMEOUT_SECONDS = 2.0

logger = logging.getLogger("connect_admin.health")

_NO_CACHE = {"cache-control": "no-store"}


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers=_NO_CACHE)


def readiness_endpoint(
    engine: AsyncEngine,
    timeout_seconds: float = READINESS_TIMEOUT_SECONDS,
    *,
    secret_key_problem: Callable[[], Awaitable[str | None]] | None = None,
) -> Callable[[Request], Awaitable[JSONResponse]]:
    """The ``/readyz`` endpoint for ``engine``. ``secret_key_problem``: whether the
    stored secrets were encrypted with another CONNECT_SECRET_KEY, asked once the
    database is ready (a server with the wrong key cannot mail)."""

    async def readyz(request: Request) -> JSONResponse:
        reason = await database_problem(engine, timeout_seconds)
        if reason is None and secret_key_problem is not None:
            reason = await _secret_key_problem(secret_key_problem, timeout_seconds)
        if reason is None:
            return JSONResponse({"status": "ok"}, headers=_NO_CACHE)
        return JSONResponse({"status": "unavailable", "reason": reason}, 503, headers=_NO_CACHE)

    return readyz


async def database_problem(engine: AsyncEngine, timeout_seconds: float) -> str | None:
    """None when the database answers within the timeout at a revision this release
    serves (its own, or a newer release's that only added); otherwise what went wrong."""
    try:
        async with asyncio.timeout(timeout_seconds), read_only(engine) as connection:
            await connection.execute(text("SELECT 1"))
            state = await _state(connection)
    except TimeoutError:
        reason = f"database did not answer within {timeout_seconds:g} s"
    except Exception as error:
        # The class only: a driver's message may name the host, the user or the database.
        reason = f"database unreachable ({type(error.__cause__ or error).__name__})"
    else:
        if state.served_by_this_release():
            return None
        reason = (
            f"database at revision {state.revision or 'none'}, this release needs "
            f"{head_revision()} (run connect-admin migrate)"
        )
    logger.warning("not ready: %s", reason)
    return reason


async def _secret_key_problem(
    check: Callable[[], Awaitable[str | None]], timeout_seconds: float
) -> str | None:
    try:
        async with asyncio.timeout(timeout_seconds):
            problem = await check()
    except Exception as error:
        problem = f"database unreachable ({type(error).__name__})"
    if problem is not None:
        logger.warning("not ready: %s", problem)
    return problem


async def _state(connection: AsyncConnection) -> DatabaseState:
    try:
        return await connection.run_sync(state_on)
    except DBAPIError:
        return DatabaseState(None)  # no alembic_version table: no schema at all

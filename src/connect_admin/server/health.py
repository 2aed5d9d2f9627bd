"""Probes: ``/healthz`` (the process is up) and ``/readyz`` (the database answers).

``/healthz`` touches no database, so a liveness probe never restarts a server for
a database outage. ``/readyz`` runs ``SELECT 1`` within a short timeout; its
failure reason names the kind of failure only, never the URL, a user or a password.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from connect_admin.persistence.database import READ_ONLY_OPTION

READINESS_TIMEOUT_SECONDS = 2.0

logger = logging.getLogger("connect_admin.health")

_NO_CACHE = {"cache-control": "no-store"}


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers=_NO_CACHE)


def readiness_endpoint(
    engine: AsyncEngine, timeout_seconds: float = READINESS_TIMEOUT_SECONDS
) -> Callable[[Request], Awaitable[JSONResponse]]:
    """The ``/readyz`` endpoint for ``engine``."""

    async def readyz(request: Request) -> JSONResponse:
        reason = await database_problem(engine, timeout_seconds)
        if reason is None:
            return JSONResponse({"status": "ok"}, headers=_NO_CACHE)
        return JSONResponse({"status": "unavailable", "reason": reason}, 503, headers=_NO_CACHE)

    return readyz


async def database_problem(engine: AsyncEngine, timeout_seconds: float) -> str | None:
    """None when ``SELECT 1`` succeeds within the timeout; otherwise what went wrong."""
    try:
        async with asyncio.timeout(timeout_seconds), engine.connect() as connection:
            # A read: on SQLite it must not wait for the write lock a writer holds.
            await connection.execution_options(**{READ_ONLY_OPTION: True})
            await connection.execute(text("SELECT 1"))
    except TimeoutError:
        reason = f"database did not answer within {timeout_seconds:g} s"
    except Exception as error:
        # The class only: a driver's message may name the host, the user or the database.
        reason = f"database unreachable ({type(error).__name__})"
    else:
        return None
    logger.warning("not ready: %s", reason)
    return reason


def health_routes(engine: AsyncEngine) -> list[Route]:
    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readiness_endpoint(engine), methods=["GET"]),
    ]

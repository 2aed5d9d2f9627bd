"""Runs due reset jobs (domain/services/reset_job_runner.py): as a task inside the
server beside the mail dispatcher, or in ``connect-admin dispatch-mail``.

Each process runs one job at a time; several processes and hosts on one PostgreSQL
each claim different jobs. Polling, as the dispatcher: a job scheduled before a
restart is found again after it. At shutdown the task is cancelled: the batch in
progress rolls back, and the job's claim runs out, so that the next worker resumes
it with the users not yet done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from domain.services.progress import ProgressBroker
from domain.services.registry import Services
from server.dispatcher import DATABASE_FAILURES, MAX_BACKOFF_SECONDS

logger = logging.getLogger("connect_admin.reset_jobs")


async def run_reset_jobs(
    make_services: Callable[[], Services],
    stop: asyncio.Event,
    *,
    poll_seconds: float,
    progress: ProgressBroker | None = None,
) -> None:
    """Runs due jobs until ``stop`` is set; after a job, looks for the next at once."""
    backoff = poll_seconds
    while not stop.is_set():
        delay = poll_seconds
        try:
            if await make_services().reset_job_runner(progress).run_due():
                backoff = poll_seconds
                continue
        except DATABASE_FAILURES as error:
            logger.warning(
                "reset jobs: the database failed (%s); retrying in %g s",
                type(error).__name__,
                backoff,
            )
            delay, backoff = backoff, min(MAX_BACKOFF_SECONDS, backoff * 2)
        except Exception:
            logger.exception("a reset job failed; retrying in %g s", backoff)
            delay, backoff = backoff, min(MAX_BACKOFF_SECONDS, backoff * 2)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)


async def stop_reset_jobs(task: asyncio.Task[None]) -> None:
    """Ends the worker at once: a running job is resumed by the next worker."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task

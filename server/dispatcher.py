"""Runs the outbox dispatcher, for mail and webhook deliveries: as a task inside the
server, or alone (``connect-admin dispatch-mail``).

Polling keeps it simple and robust: a message queued before a crash is
found again after the restart, and several dispatchers can run at once
because each claims its messages (see ``OutboxRepository.claim_due``) and
keeps the claim while it sends them (``domain/services/mail_lease.py``).
The same loop purges what resets kept for undoReset once it expired, now and
then (``connect-admin purge-undo`` does it on demand), and audits the password links
that expired unused (domain/services/password_links.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from domain.errors import ServiceUnavailable
from domain.services.registry import Services

logger = logging.getLogger("connect_admin.mail")
undo_logger = logging.getLogger("connect_admin.reset_undo")
links_logger = logging.getLogger("connect_admin.password_links")

# After a failure the dispatcher waits the poll interval, doubled after each further
# failure up to this, so an outage costs one log line per wait, not one a second.
MAX_BACKOFF_SECONDS = 60.0
# Failures of the database itself: one line each, the traceback would say nothing more.
DATABASE_FAILURES = (OSError, DBAPIError, PoolTimeout, ServiceUnavailable)
# Expired undo records are purged at the start and then at most this often: a day's
# late purge keeps nothing longer that matters, since an undo refuses them already.
UNDO_PURGE_INTERVAL_SECONDS = 600.0


async def _mail_due(services: Services) -> int:
    return await services.outbox.dispatch_due()


async def _webhooks_due(services: Services) -> int:
    if services.webhook_sender is None:
        return 0  # services made without one deliver no webhooks
    return await services.webhook_dispatch.dispatch_due()


# What each round delivers: mail, then webhook deliveries (domain/services/webhook_dispatch.py).
DISPATCHED: tuple[tuple[str, Callable[[Services], Awaitable[int]]], ...] = (
    ("mail", _mail_due),
    ("webhook", _webhooks_due),
)


async def run_dispatcher(
    make_services: Callable[[], Services], stop: asyncio.Event, *, poll_seconds: float
) -> None:
    """Sends due mail and webhook deliveries until ``stop`` is set; a round that handled
    any is followed at once by the next."""
    backoff = poll_seconds
    loop = asyncio.get_running_loop()
    next_purge = loop.time()
    while not stop.is_set():
        if loop.time() >= next_purge:
            next_purge = loop.time() + UNDO_PURGE_INTERVAL_SECONDS
            await purge_expired_undo(make_services)
            await sweep_expired_links(make_services)
        delay = poll_seconds
        handled, failed = 0, False
        for name, due in DISPATCHED:
            try:
                handled += await due(make_services())
            except DATABASE_FAILURES as error:
                # The messages stay queued; say what failed, once per back-off: the
                # database is the others' too, so the round ends here.
                failed = True
                logger.warning(
                    "%s dispatch: the database failed (%s: %s); retrying in %g s",
                    name,
                    type(error).__name__,
                    str(error).splitlines()[0] if str(error) else "",
                    backoff,
                )
                break
            except Exception:
                failed = True
                logger.exception("%s dispatch failed; retrying in %g s", name, backoff)
        if failed:
            delay, backoff, handled = backoff, min(MAX_BACKOFF_SECONDS, backoff * 2), 0
        else:
            backoff = poll_seconds
        if handled:
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)


async def purge_expired_undo(make_services: Callable[[], Services]) -> None:
    """Purges expired undo records; a failure is logged, the next round tries again."""
    try:
        purged = await make_services().reset_undo.purge_expired()
        # A reset job's report is kept as long as its undo (domain/services/reset_jobs.py).
        await make_services().reset_jobs.purge_expired()
    except Exception as error:
        undo_logger.warning(
            "purging expired undo records failed (%s: %s); trying again in %g s",
            type(error).__name__,
            str(error).splitlines()[0] if str(error) else "",
            UNDO_PURGE_INTERVAL_SECONDS,
        )
        return
    if purged:
        undo_logger.info("purged %d expired undo records of resets", purged)


async def sweep_expired_links(make_services: Callable[[], Services]) -> None:
    """Audits the password links that expired unused; a failure is logged, the next
    round tries again."""
    try:
        swept = await make_services().password_links.expire_due()
    except Exception as error:
        links_logger.warning(
            "auditing expired password links failed (%s: %s); trying again in %g s",
            type(error).__name__,
            str(error).splitlines()[0] if str(error) else "",
            UNDO_PURGE_INTERVAL_SECONDS,
        )
        return
    if swept:
        links_logger.info("audited %d expired password links", swept)

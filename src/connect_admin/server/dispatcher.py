"""Runs the outbox dispatcher: as a task inside the server, or alone.

Polling keeps it simple and robust: a message queued before a crash is
found again after the restart, and several dispatchers can run at once
because each claims its messages (see ``OutboxRepository.claim_due``) and
keeps the claim while it sends them (``domain/services/mail_lease.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from connect_admin.domain.services.deps import Deps
from connect_admin.domain.services.mail import dispatch_due

logger = logging.getLogger("connect_admin.mail")


async def run_dispatcher(
    make_deps: Callable[[], Deps], stop: asyncio.Event, *, poll_seconds: float
) -> None:
    """Sends due mail until ``stop`` is set; a full batch is followed at once by the next."""
    while not stop.is_set():
        try:
            handled = await dispatch_due(make_deps())
        except Exception:
            # The database or the mail adapter failed; the messages stay queued.
            logger.exception("mail dispatch failed; retrying in %s s", poll_seconds)
            handled = 0
        if handled:
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), poll_seconds)

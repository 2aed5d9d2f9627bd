"""A dispatcher's claim on a batch of outbox messages, kept while it sends them.

The claim runs for ``mail_claim_lease`` and carries a token. While the batch is
being sent a heartbeat renews it every third of the lease, for the messages not
yet recorded, so another dispatcher never takes a message over from one that
is still sending, however slow the SMTP server. Every write of the dispatcher
is fenced by the token (``record_attempt``, ``renew_claim``, ``release_claim``):
once another dispatcher claimed a message, the first one writes nothing for it.

A dispatcher whose claim could not be renewed (the database out of reach, the
process starved) starts no further message once less than half the lease is
left, and a message being sent is cut off when the claim runs out, before
another dispatcher may claim it. The claim's times are the dispatchers' clocks:
hosts that share an outbox keep their clocks in step (NTP).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta

from domain.ports import Clock, UnitOfWork

logger = logging.getLogger("connect_admin.domain.services.mail_lease")


class MailLease:
    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        length: timedelta,
        token: str,
        ids: Iterable[int],
        expires: datetime,
    ) -> None:
        self._uow = uow
        self._clock = clock
        # How long a claim or its renewal lasts.
        self._length = length
        self.token = token
        self._held = set(ids)
        self._expires = expires
        self._lost = False
        # The dispatcher's unit of work runs one transaction at a time: the
        # heartbeat's or a record's.
        self._lock = asyncio.Lock()
        self._deadline: asyncio.Timeout | None = None

    @property
    def lost(self) -> bool:
        """Part of the claim was taken over, or could not be renewed in time."""
        return self._lost or self._remaining() < self._length / 2

    def holds(self, mail_id: int) -> bool:
        """Whether the message may be sent now: still held, with time to spare."""
        return not self.lost and mail_id in self._held

    @property
    def held(self) -> set[int]:
        return set(self._held)

    def _remaining(self) -> timedelta:
        return self._expires - self._clock.now()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        async with self._lock, self._uow as uow:
            yield uow

    def accepted(self, mail_id: int) -> None:
        """The SMTP server took the message; its record is about to be written. From now
        on it is never released: should the record fail, the message waits for its
        claim to run out, instead of being due (and sent) again at once."""
        self._held.discard(mail_id)

    def recorded(self, mail_id: int, *, stored: bool) -> None:
        """The message's outcome was committed (``stored``), or refused by the fence;
        called inside the ``transaction()`` that wrote it, after its commit."""
        self._held.discard(mail_id)
        if not stored:
            self._lost = True

    @contextlib.asynccontextmanager
    async def deadline(self) -> AsyncIterator[None]:
        """Cuts the block off (``TimeoutError``) when the claim runs out; a renewal
        moves the deadline on."""
        async with asyncio.timeout(max(self._remaining().total_seconds(), 0)) as timeout:
            self._deadline = timeout
            try:
                yield
            finally:
                self._deadline = None

    @contextlib.asynccontextmanager
    async def kept(self) -> AsyncIterator[MailLease]:
        """Renews the claim during the block; afterwards releases what is still held
        (messages never tried), so they are due again at once."""
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            yield self
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            await self._release()

    async def _heartbeat(self) -> None:
        interval = self._length.total_seconds() / 3
        while True:
            await asyncio.sleep(interval)
            try:
                await self.renew()
            except Exception:
                # The claim runs out unless a later renewal succeeds; sending stops then.
                logger.warning("cannot renew the claim on the mail being sent", exc_info=True)

    async def renew(self) -> None:
        if not self._held:
            return
        now = self._clock.now()
        expires = now + self._length
        async with self.transaction() as uow:
            asked = set(self._held)
            still = await uow.outbox.renew_claim(self.token, asked, expires)
            await uow.commit()
            if still != asked:
                # Taken over (its claim had run out): never send or write those again.
                self._lost = True
                self._held &= still
            self._expires = expires
        if self._deadline is not None and not self._deadline.expired():
            loop = asyncio.get_running_loop()
            remaining = (expires - self._clock.now()).total_seconds()
            self._deadline.reschedule(loop.time() + max(remaining, 0))

    async def _release(self) -> None:
        if not self._held:
            return
        try:
            async with self.transaction() as uow:
                await uow.outbox.release_claim(self.token, self._held)
                await uow.commit()
        except Exception:
            # They are due again once the claim runs out.
            logger.warning("cannot release the claim on mail not sent", exc_info=True)
        self._held.clear()

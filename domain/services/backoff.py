"""How long a failed delivery (a mail, a webhook) waits before it is tried again."""

from __future__ import annotations

from datetime import timedelta


def doubling_delay(first: timedelta, largest: timedelta, attempts: int) -> timedelta:
    """``first`` after the first attempt, doubling with each one after, never more than
    ``largest``."""
    delay = first
    # Doubling stops at the cap: a day of retries would overflow timedelta otherwise.
    for _ in range(attempts - 1):
        if delay >= largest:
            break
        delay *= 2
    return min(delay, largest)

"""Adapter of the domain's Clock port."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """Implements :class:`domain.ports.Clock`."""

    def now(self) -> datetime:
        return datetime.now(UTC)

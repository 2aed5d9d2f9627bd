"""The password links' repository."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domain.password_link_model import PasswordLink

__all__ = ["PasswordLinkRepository"]


class PasswordLinkRepository(Protocol):
    """Each method runs in the unit of work's transaction."""

    async def replace_many(self, links: Sequence[PasswordLink]) -> None:
        """Each user's link becomes this one (an older one stops working)."""

    async def by_token_hash(
        self, token_hash: str, *, for_update: bool = False
    ) -> PasswordLink | None: ...

    async def mark_used(self, user_id: int, at: datetime) -> None: ...

    async def expired_unused(self, now: datetime, limit: int = 1000) -> list[PasswordLink]:
        """Up to ``limit`` links expired at ``now`` and never used (nor marked used up)."""
        ...

    async def revoke(self, user_id: int) -> None:
        """The user's link stops working for good (the user was blocked)."""

"""The password links' repository in memory, for tests/fakes.py's unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from domain.password_link_model import PasswordLink


class LinkTables(Protocol):
    password_links: dict[int, PasswordLink]


class Store(Protocol):
    @property
    def store(self) -> LinkTables: ...


class FakePasswordLinkRepository:
    def __init__(self, uow: Store) -> None:
        self._uow = uow

    async def replace_many(self, links: Sequence[PasswordLink]) -> None:
        for link in links:
            self._uow.store.password_links[link.user_id] = link

    async def by_token_hash(
        self, token_hash: str, *, for_update: bool = False
    ) -> PasswordLink | None:
        links = self._uow.store.password_links.values()
        found = [link for link in links if link.token_hash == token_hash]
        return found[0] if found else None

    async def mark_used(self, user_id: int, at: datetime) -> None:
        links = self._uow.store.password_links
        if user_id in links:
            links[user_id] = replace(links[user_id], used_at=at)

    async def expired_unused(self, now: datetime, limit: int = 1000) -> list[PasswordLink]:
        links = self._uow.store.password_links.values()
        due = [link for link in links if link.used_at is None and link.expires_at <= now]
        return sorted(due, key=lambda link: link.expires_at)[:limit]

    async def revoke(self, user_id: int) -> None:
        links = self._uow.store.password_links
        if user_id in links:
            links[user_id] = replace(links[user_id], password_stamp="revoked")

"""Time, password hashing, randomness and secrets at rest (adapters/ implements them)."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Protocol

__all__ = [
    "Clock",
    "PasswordHasher",
    "RandomSource",
    "SecretBox",
]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class PasswordHasher(Protocol):
    """Slow, salted hashing (argon2id); async so it can run off the event loop."""

    async def hash(self, secret: str) -> str: ...
    async def hash_in_turn(self, secret: str) -> str:
        """``hash`` for one of many secrets (a reset's passwords): the calls queue off the
        event loop, each core hashes one after the other, so a core never waits for the
        loop to hand it the next; ``hash`` and ``verify`` never wait behind them."""
        ...

    async def verify(self, hashed: str | None, secret: str) -> bool:
        """False for ``hashed`` None, after the same work as a real check (no timing hint)."""
        ...


class RandomSource(Protocol):
    def token(self) -> str:
        """An unguessable bearer token."""
        ...

    def choice(self, alphabet: str) -> str:
        """One character of ``alphabet``, from a cryptographically secure source."""
        ...

    def shuffled(self, items: builtins.list[str]) -> builtins.list[str]:
        """The items in a cryptographically random order."""
        ...


class SecretBox(Protocol):
    """Authenticated encryption of secrets at rest (key: CONNECT_SECRET_KEY)."""

    def encrypt(self, plaintext: str) -> str: ...
    def decrypt(self, ciphertext: str) -> str: ...

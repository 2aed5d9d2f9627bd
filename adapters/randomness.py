"""Adapter of the domain's RandomSource port: the operating system's secure randomness."""

from __future__ import annotations

import secrets


class SecretsRandomSource:
    """Implements :class:`domain.ports.RandomSource` with :mod:`secrets`."""

    def __init__(self) -> None:
        self._system_random = secrets.SystemRandom()

    def token(self) -> str:
        return secrets.token_urlsafe(32)

    def choice(self, alphabet: str) -> str:
        return secrets.choice(alphabet)

    def shuffled(self, items: list[str]) -> list[str]:
        copy = list(items)
        self._system_random.shuffle(copy)
        return copy

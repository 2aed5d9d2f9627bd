"""Adapters of the domain's security ports: password hashing, clock, randomness, secrets at rest."""

from __future__ import annotations

import asyncio
import base64
import binascii
import secrets
from datetime import UTC, datetime

import argon2
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# OWASP Password Storage Cheat Sheet, the minimum for argon2id.
OWASP_MEMORY_COST_KIB = 19 * 1024
OWASP_TIME_COST = 2
OWASP_PARALLELISM = 1


class Argon2PasswordHasher:
    """argon2id hashing, in a worker thread so that the event loop never waits on it.

    Implements :class:`domain.ports.PasswordHasher`.
    """

    def __init__(
        self,
        *,
        memory_cost_kib: int = OWASP_MEMORY_COST_KIB,
        time_cost: int = OWASP_TIME_COST,
        parallelism: int = OWASP_PARALLELISM,
    ) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost_kib,
            parallelism=parallelism,
            type=argon2.Type.ID,
        )
        # Made on first need, with the same parameters, so a check of an
        # unknown login costs what a real one does.
        self._dummy_hash: str | None = None

    async def hash(self, secret: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, secret)

    async def verify(self, hashed: str | None, secret: str) -> bool:
        if hashed is None:
            await asyncio.to_thread(self._verify_dummy, secret)
            return False
        return await asyncio.to_thread(self._verify, hashed, secret)

    def _verify(self, hashed: str, secret: str) -> bool:
        try:
            return self._hasher.verify(hashed, secret)
        except (VerificationError, InvalidHashError):
            return False

    def _verify_dummy(self, secret: str) -> None:
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))
        self._verify(self._dummy_hash, secret)


class SystemClock:
    """Implements :class:`domain.ports.Clock`."""

    def now(self) -> datetime:
        return datetime.now(UTC)


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


# Fixed labels of the key derivation: changing them makes every stored secret unreadable.
SECRET_BOX_SALT = b"connect-admin/secret-box/v1"
SECRET_BOX_INFO = b"connect-admin secrets at rest"


class SecretDecryptionError(ValueError):
    """A ciphertext that this key did not make, or that was changed since."""


class FernetSecretBox:
    """Authenticated encryption (Fernet: AES-128-CBC + HMAC-SHA256) of secrets at rest.

    Implements :class:`domain.ports.SecretBox`. ``CONNECT_SECRET_KEY``
    may be any string (a generated Fernet key or a passphrase), so the Fernet key is
    derived from it with HKDF-SHA256 under fixed labels.
    """

    def __init__(self, key: str) -> None:
        if not key:
            raise ValueError("the secret key must not be empty")
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=SECRET_BOX_SALT, info=SECRET_BOX_INFO
        ).derive(key.encode("utf-8"))
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError, binascii.Error, ValueError):
            raise SecretDecryptionError(
                "cannot decrypt a stored secret: it was changed, or encrypted with another "
                "CONNECT_SECRET_KEY"
            ) from None

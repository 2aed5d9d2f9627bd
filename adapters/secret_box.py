"""Adapter of the domain's SecretBox port: secrets at rest, encrypted with CONNECT_SECRET_KEY."""

from __future__ import annotations

import base64
import binascii

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

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

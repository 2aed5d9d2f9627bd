"""FernetSecretBox: secrets at rest under CONNECT_SECRET_KEY; and the random source."""

from __future__ import annotations

import string

import pytest
from cryptography.fernet import Fernet, InvalidToken

from adapters.randomness import SecretsRandomSource
from adapters.secret_box import FernetSecretBox, SecretDecryptionError

SECRET = "Pässwörd-<42>&"


@pytest.mark.parametrize(
    "key",
    ["any passphrase at all", Fernet.generate_key().decode(), "x"],
    # Named by kind, not by value: a new Fernet key each run must not rename the test
    # (pytest-xdist's workers must collect the same tests).
    ids=["passphrase", "fernet-key", "one-character"],
)
def test_a_secret_comes_back_as_it_was(key: str) -> None:
    box = FernetSecretBox(key)

    assert box.decrypt(box.encrypt(SECRET)) == SECRET
    assert FernetSecretBox(key).decrypt(box.encrypt(SECRET)) == SECRET
    assert box.decrypt(box.encrypt("")) == ""


def test_the_ciphertext_hides_the_secret_and_differs_each_time() -> None:
    box = FernetSecretBox("key")

    first, second = box.encrypt(SECRET), box.encrypt(SECRET)

    assert SECRET not in first
    assert first != second
    assert first.isascii()


def test_a_tampered_ciphertext_is_refused() -> None:
    box = FernetSecretBox("key")
    ciphertext = box.encrypt(SECRET)
    middle = len(ciphertext) // 2
    flipped = "A" if ciphertext[middle] != "A" else "B"
    tampered = ciphertext[:middle] + flipped + ciphertext[middle + 1 :]

    with pytest.raises(SecretDecryptionError, match="changed, or encrypted with another"):
        box.decrypt(tampered)
    for garbage in ("", "not a token", "ünïcode"):
        with pytest.raises(SecretDecryptionError):
            box.decrypt(garbage)


def test_another_key_cannot_decrypt() -> None:
    ciphertext = FernetSecretBox("the right key").encrypt(SECRET)

    with pytest.raises(SecretDecryptionError):
        FernetSecretBox("another key").decrypt(ciphertext)


def test_the_key_is_derived_not_used_as_it_is() -> None:
    """A Fernet key given as CONNECT_SECRET_KEY is input to HKDF, not the Fernet key."""
    key = Fernet.generate_key()
    ciphertext = FernetSecretBox(key.decode()).encrypt(SECRET)

    with pytest.raises(InvalidToken):
        Fernet(key).decrypt(ciphertext.encode())


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        FernetSecretBox("")


def test_the_random_source_picks_from_the_alphabet_and_shuffles_a_copy() -> None:
    source = SecretsRandomSource()
    picks = {source.choice(string.digits) for _ in range(200)}
    assert picks <= set(string.digits)
    assert len(picks) > 1

    items = list("abcdefghijklmnop")
    shuffled = source.shuffled(items)
    assert items == list("abcdefghijklmnop")
    assert sorted(shuffled) == items
    assert any(source.shuffled(items) != items for _ in range(20))

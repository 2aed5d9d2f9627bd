"""A one-time link to the set-password page, mailed by a reset instead of a password."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PasswordLink:
    """The newest link of a user (a new one replaces it); the token only as its SHA-256."""

    user_id: int
    token_hash: str
    # The SHA-256 of the password hash the link was made with (see password_links.py).
    password_stamp: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

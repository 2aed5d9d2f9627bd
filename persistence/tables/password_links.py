"""The one-time links to the set-password page a reset mails instead of a password."""

from __future__ import annotations

from sqlalchemy import Column, String, Table

from persistence.tables.columns import HASH_LENGTH, UtcDateTime, key_reference, metadata

# One row per user, replaced by each new link: only the newest one works. The token
# is stored as its SHA-256 (as API tokens are); a deleted user's link goes with it.
password_links = Table(
    "password_links",
    metadata,
    key_reference("user_id", "users.id", ondelete="CASCADE"),
    Column("token_hash", String(HASH_LENGTH), nullable=False, unique=True),
    # The SHA-256 of the user's password hash the link was made with: any other
    # password since (set by an administrator, a reset, the user) makes it useless.
    Column("password_stamp", String(HASH_LENGTH), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("used_at", UtcDateTime(), nullable=True),
)

"""The services' tunables; the composition root sets them from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class ServiceConfig:
    session_ttl: timedelta = timedelta(hours=12)
    sign_in_max_failures: int = 10
    sign_in_window: timedelta = timedelta(minutes=15)
    sign_in_lockout: timedelta = timedelta(minutes=15)
    default_page_size: int = 20
    max_page_size: int = 100
    # API tokens record their last use at most this often, to keep reads cheap.
    token_last_use_resolution: timedelta = timedelta(minutes=1)
    # A random password an administrator set stops working when unused this long.
    temporary_password_ttl: timedelta = timedelta(hours=72)
    random_password_length: int = 16
    # A reset stores this many users per transaction, each step one statement for
    # all of them; their passwords are made and hashed ahead, the hashes one per
    # core (PasswordHasher.hash_in_turn), while the batches before are stored.
    reset_batch_size: int = 100
    # What a reset removed or overwrote is kept this long for undoReset.
    reset_undo_ttl: timedelta = timedelta(days=14)
    voicemail_pin_length: int = 6
    pin_max_failures: int = 5
    pin_lockout: timedelta = timedelta(minutes=15)
    # Mail: retries back off from the first delay to the largest, until the last.
    mail_batch_size: int = 100
    mail_claim_lease: timedelta = timedelta(minutes=2)
    mail_first_retry: timedelta = timedelta(seconds=10)
    mail_max_retry_interval: timedelta = timedelta(minutes=5)
    mail_give_up_after: timedelta = timedelta(hours=24)

"""The services' tunables; the composition root sets them from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class ServiceConfig:
    session_ttl: timedelta = timedelta(hours=12)
    # Sign-in lockouts (domain/services/lockout.py): per login and client address,
    # doubling in a row up to the longest; past the login's ceiling (all addresses),
    # every attempt of it is slowed down instead.
    sign_in_max_failures: int = 10
    sign_in_window: timedelta = timedelta(minutes=15)
    sign_in_lockout: timedelta = timedelta(minutes=15)
    sign_in_lockout_max: timedelta = timedelta(hours=24)
    sign_in_login_ceiling: int = 100
    sign_in_slowdown: timedelta = timedelta(seconds=2)
    default_page_size: int = 20
    max_page_size: int = 100
    # API tokens record their last use at most this often, to keep reads cheap.
    token_last_use_resolution: timedelta = timedelta(minutes=1)
    # A random password an administrator set stops working when unused this long.
    temporary_password_ttl: timedelta = timedelta(hours=72)
    random_password_length: int = 16
    # Password links (password_links.py): the server's address as users' browsers
    # reach it, the links' base; how long a link works.
    public_url: str = "http://localhost:8000"
    password_link_ttl: timedelta = timedelta(hours=72)
    # Forgot password (forgot_password.py): requests within sign_in_window, per client
    # address and per login or e-mail address asked for.
    forgot_password_per_client: int = 10
    forgot_password_per_address: int = 3
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
    # Webhooks (domain/services/webhook_dispatch.py): deliveries claimed in batches and
    # sent a few at once, each within the timeout; failed attempts retried, doubling
    # from the first delay to the largest interval, until the last attempt; after so
    # many deliveries in a row that finally failed, the endpoint is switched off.
    webhook_batch_size: int = 50
    webhook_concurrency: int = 10
    webhook_claim_lease: timedelta = timedelta(minutes=2)
    webhook_timeout: timedelta = timedelta(seconds=10)
    webhook_first_retry: timedelta = timedelta(seconds=10)
    webhook_max_retry_interval: timedelta = timedelta(hours=1)
    webhook_max_attempts: int = 12
    webhook_switch_off_after: int = 5
    webhook_max_endpoints: int = 20
    # Plain http and loopback, private or link-local addresses (domain/services/webhook_urls.py).
    webhook_allow_private: bool = False
    # The languages mails exist in (one message catalogue each) and the system's,
    # for users and locations that name none.
    languages: tuple[str, ...] = ("de", "en")
    default_language: str = "en"

"""The server's configuration, read from ``CONNECT_…`` environment variables in one place."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Annotated

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy import make_url

from mail import catalogues
from persistence.database import DEFAULT_POOL_SIZE, is_sqlite, sqlite_file

DEFAULT_DATABASE_FILE = "connect-admin.db"
SECRET_FILE_SUFFIX = ".secret"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SUPPORTED_DATABASES = ("sqlite", "postgresql", "postgres")
# The one async driver of each (a URL may name it, or leave it out).
SUPPORTED_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg", "postgres": "asyncpg"}


class ConfigurationError(Exception):
    """The configuration cannot work; the message says what to set."""


def _default_database_url() -> str:
    return f"sqlite:///{Path.cwd() / DEFAULT_DATABASE_FILE}"


class Settings(BaseSettings):
    """``CONNECT_DATABASE_URL``, ``CONNECT_SECRET_KEY``, ``CONNECT_CORS_ORIGINS``, …"""

    model_config = SettingsConfigDict(env_prefix="CONNECT_", extra="ignore")

    # A plain URL; persistence.database picks the async driver.
    database_url: str = Field(default_factory=_default_database_url)
    secret_key: SecretStr | None = None
    # Comma-separated in the environment: https://a.example,https://b.example
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    session_ttl_minutes: int = Field(default=720, ge=1)
    max_page_size: int = Field(default=100, ge=1)
    # The outbox dispatcher inside the server; off when `dispatch-mail` runs elsewhere.
    mail_dispatcher: bool = True
    mail_poll_seconds: float = Field(default=1.0, gt=0)
    # How long a dispatcher's claim on a batch lasts unless renewed (every third of it).
    mail_claim_seconds: float = Field(default=120.0, ge=1)
    temporary_password_hours: int = Field(default=72, ge=1)
    # The server's address as users' browsers reach it (scheme, host, port, any path
    # prefix): the base of the set-password links in mails; never the request's Host.
    public_url: str = "http://localhost:8000"
    # How long a set-password link a reset mailed works.
    password_link_hours: int = Field(default=72, ge=1)
    # Webhooks (docs/partners/webhooks.md): plain http and loopback or private addresses
    # allowed; each attempt's timeout; attempts before a delivery finally fails; finally
    # failed deliveries in a row before an endpoint is switched off.
    webhooks_allow_private: bool = False
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    # A dispatcher's claim on a batch of deliveries: more than twice the timeout.
    webhook_claim_seconds: float = Field(default=120.0, ge=1)
    webhook_max_attempts: int = Field(default=12, ge=1)
    webhook_switch_off_after: int = Field(default=5, ge=1)
    # The mails' language for users and locations that name none (a catalogue's name).
    default_language: str = "en"
    # What a reset removed or overwrote is kept this many days for undoReset, then purged.
    reset_undo_days: int = Field(default=14, ge=1)
    # How long a resetProgress subscriber waits for an operation that has not started.
    progress_wait_seconds: float = Field(default=60.0, gt=0)
    # Websockets (server/http/sockets.py): connection_init must come within this; an
    # open socket checks its token again this often (and after every mutation).
    websocket_init_seconds: float = Field(default=5.0, gt=0)
    websocket_recheck_seconds: float = Field(default=5.0, gt=0)
    # Query limits (gql/limits/) and the request body limit (server/http/limits.py).
    max_query_depth: int = Field(default=10, ge=1)
    max_aliases: int = Field(default=30, ge=0)
    max_query_tokens: int = Field(default=2000, ge=100)
    max_directives: int = Field(default=50, ge=0)
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    # Request headers (server/http/hygiene.py): more or longer ones are answered 431.
    max_header_bytes: int = Field(default=32_768, ge=1024)
    max_header_count: int = Field(default=100, ge=10)
    # A request body must have arrived completely within this many seconds (408 after).
    body_timeout_seconds: float = Field(default=10.0, gt=0)
    # A query (not a mutation) still running after this many seconds is stopped: 503.
    query_deadline_seconds: float = Field(default=30.0, gt=0)
    # How long a request waits for a free database connection before it is answered
    # 503 (SERVICE_UNAVAILABLE) with Retry-After.
    database_pool_timeout_seconds: float = Field(default=5.0, gt=0)
    # The PostgreSQL connections each server process keeps (opened as needed, kept
    # after): with --workers N, N times this must stay below the server's max_connections.
    database_pool_size: int = Field(default=DEFAULT_POOL_SIZE, ge=1, le=1000)
    # The cost ceiling of one operation, and each caller's budget (gql/limits/).
    max_query_cost: int = Field(default=1_000_000, ge=1)
    # The ceiling for callers without a token: they have no budget to pay from.
    max_anonymous_query_cost: int = Field(default=100_000, ge=1)
    # Lower for their operations that introspect (gql/limits/introspection.py).
    max_anonymous_introspection_cost: int = Field(default=26_000, ge=1)
    cost_budget: bool = True
    cost_budget_capacity: int = Field(default=2_000_000, ge=1)
    cost_budget_refill_per_second: float = Field(default=10_000.0, gt=0)
    # Points a server process takes ahead from a caller's budget, so that most of the
    # caller's operations cost no database write (at most a tenth of the capacity).
    cost_budget_reserve: int = Field(default=50_000, ge=0)
    # Sign-in lockouts (docs/operators/security.md): failures per login and client
    # address that lock it for that address; failures of a login from all addresses
    # past which each of its sign-ins waits sign_in_slowdown_seconds.
    sign_in_max_failures: int = Field(default=10, ge=1)
    sign_in_login_ceiling: int = Field(default=100, ge=1)
    sign_in_slowdown_seconds: float = Field(default=2.0, ge=0, le=60)
    # Introspection (__schema, __type) for GraphiQL and code generators.
    introspection: bool = True
    # The users page and other hot read queries bypass graphql-core's per-field
    # executor (gql/compiled/); false: every query runs through Strawberry.
    compiled_execution: bool = True
    # "Did you mean …" in error messages; unset: exactly when introspection is on.
    field_suggestions: bool | None = None
    # The node_modules folder with GraphiQL's pinned files (`npm ci`); unset: the copy an
    # installed wheel carries, else ./node_modules, else the one beside the pyproject.toml
    # of a source checkout (server/ui/graphiql.py).
    web_assets: Path | None = None
    # /metrics reads the outbox's figures at most this often (it needs no token).
    metrics_outbox_seconds: float = Field(default=5.0, ge=0)
    # The least level logged (JSON lines on stderr): DEBUG, INFO, WARNING, ERROR, CRITICAL.
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _budget_holds_an_operation(self) -> Settings:
        if self.cost_budget and self.cost_budget_capacity < self.max_query_cost:
            raise ValueError(
                "CONNECT_COST_BUDGET_CAPACITY must be at least CONNECT_MAX_QUERY_COST, "
                "or an operation within the ceiling could never run"
            )
        return self

    @model_validator(mode="after")
    def _webhook_claim_outlasts_an_attempt(self) -> Settings:
        if self.webhook_claim_seconds <= 2 * self.webhook_timeout_seconds:
            raise ValueError(
                "CONNECT_WEBHOOK_CLAIM_SECONDS must be more than twice "
                "CONNECT_WEBHOOK_TIMEOUT_SECONDS, or a claimed delivery could never be sent"
            )
        return self

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        language = value.strip()
        if language not in catalogues.languages():
            raise ValueError(
                f"no mails in this language; one of {', '.join(catalogues.languages())}"
            )
        return language

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"not a log level; one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("database_url")
    @classmethod
    def _plain_url(cls, value: str) -> str:
        value = value.strip()
        try:
            url = make_url(value)
        except Exception as error:
            raise ValueError(f"not a database URL: {error}") from None
        if url.get_backend_name() not in SUPPORTED_DATABASES:
            raise ValueError(
                f"the database {url.get_backend_name()!r} is not supported; use "
                "sqlite:///path/to/file.db or postgresql://user@host:5432/name"
            )
        driver = url.get_driver_name() if "+" in url.drivername else None
        if driver is not None and driver != SUPPORTED_DRIVERS[url.get_backend_name()]:
            raise ValueError(
                f"the driver {driver!r} is not supported; leave it out "
                f"({url.get_backend_name()}://…): the server uses "
                f"{SUPPORTED_DRIVERS[url.get_backend_name()]}"
            )
        return value


def is_sqlite_url(url: str) -> bool:
    return is_sqlite(url)


def secret_key_file(url: str) -> Path | None:
    """Where the generated key of a SQLite database lives: ``<database file>.secret``."""
    database = sqlite_file(url)
    return None if database is None else database.with_name(database.name + SECRET_FILE_SUFFIX)


# A generated key (Fernet's, or secrets.token_urlsafe(32)) has 43 or 44; a passphrase
# shorter than this is guessed offline from any stored ciphertext.
MIN_SECRET_KEY_LENGTH = 32
MAKE_A_KEY = (
    "make one with: python3 -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())'"
)


def check_secret_key(key: str, where: str = "CONNECT_SECRET_KEY") -> str:
    """The key, when it is one: at least MIN_SECRET_KEY_LENGTH printable ASCII characters
    without spaces. Otherwise a ConfigurationError (exit 2) saying how to make one."""
    if (
        len(key) < MIN_SECRET_KEY_LENGTH
        or not key.isascii()
        or not key.isprintable()
        or (any(c.isspace() for c in key))
    ):
        raise ConfigurationError(
            f"{where} is not a usable key: it needs at least {MIN_SECRET_KEY_LENGTH} "
            f"printable ASCII characters without spaces (this one has {len(key)}); "
            f"{MAKE_A_KEY}"
        )
    return key


def resolve_secret_key(settings: Settings) -> str:
    """``CONNECT_SECRET_KEY`` if set. Otherwise, on SQLite, the key kept beside the
    database file, made (a Fernet key, mode 0600) on the first call; an in-memory
    SQLite database gets a key for this process only. PostgreSQL needs the variable."""
    if settings.secret_key is not None and settings.secret_key.get_secret_value().strip():
        return settings.secret_key.get_secret_value().strip()
    if not is_sqlite(settings.database_url):
        raise ConfigurationError(
            f"CONNECT_SECRET_KEY is required with a database other than SQLite; {MAKE_A_KEY}"
        )
    path = secret_key_file(settings.database_url)
    if path is None:
        return Fernet.generate_key().decode()
    try:
        return _read_or_make_key(path)
    except OSError as error:
        raise ConfigurationError(
            f"cannot read or write the secret key file {path}: {error}"
        ) from None


def _read_or_make_key(path: Path) -> str:
    if not path.exists():
        _write_new_key(path)
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise ConfigurationError(f"the secret key file {path} is empty; delete it or fill it")
    return key


def _write_new_key(path: Path) -> None:
    """Writes a new key without ever leaving a partial file or replacing a concurrent one."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as file:  # mkstemp: mode 0600
            file.write(Fernet.generate_key().decode() + "\n")
        # No-clobber: when another process made the file first, its key wins.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)

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

from persistence.database import DEFAULT_POOL_SIZE, is_sqlite, sqlite_file

DEFAULT_DATABASE_FILE = "connect-admin.db"
SECRET_FILE_SUFFIX = ".secret"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SUPPORTED_DATABASES = ("sqlite", "postgresql", "postgres")


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
    # What a reset removed or overwrote is kept this many days for undoReset, then purged.
    reset_undo_days: int = Field(default=14, ge=1)
    # How long a resetProgress subscriber waits for an operation that has not started.
    progress_wait_seconds: float = Field(default=60.0, gt=0)
    # Query limits (gql/limits/) and the request body limit (server/limits.py).
    max_query_depth: int = Field(default=10, ge=1)
    max_aliases: int = Field(default=30, ge=0)
    max_query_tokens: int = Field(default=2000, ge=100)
    max_directives: int = Field(default=50, ge=0)
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
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
    cost_budget: bool = True
    cost_budget_capacity: int = Field(default=2_000_000, ge=1)
    cost_budget_refill_per_second: float = Field(default=10_000.0, gt=0)
    # Points a server process takes ahead from a caller's budget, so that most of the
    # caller's operations cost no database write (at most a tenth of the capacity).
    cost_budget_reserve: int = Field(default=50_000, ge=0)
    # Introspection (__schema, __type) for GraphiQL and code generators.
    introspection: bool = True
    # The users page and other hot read queries bypass graphql-core's per-field
    # executor (gql/compiled/); false: every query runs through Strawberry.
    compiled_execution: bool = True
    # "Did you mean …" in error messages; unset: exactly when introspection is on.
    field_suggestions: bool | None = None
    # The node_modules folder with GraphiQL's pinned files (`npm ci`); unset: the copy an
    # installed wheel carries, else ./node_modules, else the one beside the pyproject.toml
    # of a source checkout (server/graphiql.py).
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

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

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
        return value


def is_sqlite_url(url: str) -> bool:
    return is_sqlite(url)


def secret_key_file(url: str) -> Path | None:
    """Where the generated key of a SQLite database lives: ``<database file>.secret``."""
    database = sqlite_file(url)
    return None if database is None else database.with_name(database.name + SECRET_FILE_SUFFIX)


def resolve_secret_key(settings: Settings) -> str:
    """``CONNECT_SECRET_KEY`` if set. Otherwise, on SQLite, the key kept beside the
    database file, made (a Fernet key, mode 0600) on the first call; an in-memory
    SQLite database gets a key for this process only. PostgreSQL needs the variable."""
    if settings.secret_key is not None and settings.secret_key.get_secret_value().strip():
        return settings.secret_key.get_secret_value().strip()
    if not is_sqlite(settings.database_url):
        raise ConfigurationError(
            "CONNECT_SECRET_KEY is required with a database other than SQLite; "
            "make one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'"
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

"""The environment variables the server reads (``server/settings.py``), as the command line
explains them: each with its default in ``connect-admin --help``, and with its effective
value, secrets masked, in ``connect-admin config``."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import SecretStr
from pydantic.fields import FieldInfo

from server.settings import DEFAULT_DATABASE_FILE, Settings, is_sqlite_url, secret_key_file

PREFIX = "CONNECT_"
MASK = "***"

# What each setting means, in a line or two; tests/cli/test_command_line_help.py checks
# that every setting has one.
MEANINGS = {
    "database_url": "sqlite:///path/to/file.db or postgresql://user:password@host:5432/name",
    "secret_key": "the key that encrypts stored secrets (a Fernet key); required with PostgreSQL",
    "cors_origins": "origins allowed to call the API from a browser, comma-separated",
    "session_ttl_minutes": "how long a sign-in session lasts",
    "max_page_size": "the largest `first` a list accepts",
    "mail_dispatcher": "run the mail dispatcher and the reset jobs inside the server (false when "
    "`connect-admin dispatch-mail` runs elsewhere)",
    "mail_poll_seconds": "how often a dispatcher looks for mail that is due",
    "mail_claim_seconds": "how long a dispatcher's claim on a batch lasts unless renewed",
    "webhooks_allow_private": "let webhook endpoints use plain http and loopback, private "
    "or link-local addresses (a receiver inside the operator's own network)",
    "webhook_timeout_seconds": "how long a webhook delivery waits for the receiver's reply",
    "webhook_claim_seconds": "how long a dispatcher's claim on a batch of webhook deliveries "
    "lasts: a dispatcher that dies leaves them to others after it",
    "webhook_max_attempts": "attempts (10 s apart, doubling up to an hour) before a webhook "
    "delivery finally fails",
    "webhook_switch_off_after": "finally failed webhook deliveries in a row before their "
    "endpoint is switched off",
    "temporary_password_hours": "how long a reset's random password signs in before it "
    "expires unused",
    "public_url": "the server's address as users' browsers reach it (scheme, host, port, "
    "any path prefix): the base of the set-password links that resets mail; never taken "
    "from a request's Host header",
    "password_link_hours": "how long a set-password link a reset mailed works (once)",
    "default_language": "the mails' language for users and locations that name none (de or en)",
    "reset_undo_days": "how long what a reset removed is kept for undoReset",
    "progress_wait_seconds": "how long a resetProgress subscriber waits for a run to start",
    "websocket_init_seconds": "a websocket's connection_init must come within this time",
    "websocket_recheck_seconds": "how often an open websocket checks its token again",
    "max_query_depth": "the deepest nesting of fields an operation may have",
    "max_aliases": "the most aliases an operation may have",
    "max_query_tokens": "the most tokens an operation's text may have",
    "max_directives": "the most directives an operation may have",
    "max_body_bytes": "the largest request body",
    "max_header_bytes": "the most bytes of request headers (else 431)",
    "max_header_count": "the most request headers (else 431)",
    "body_timeout_seconds": "a request body must have arrived within this time (else 408)",
    "query_deadline_seconds": "a query still running after this time is stopped (503)",
    "database_pool_timeout_seconds": "how long a request waits for a database connection "
    "(else 503)",
    "database_pool_size": "the PostgreSQL connections each server process keeps",
    "max_query_cost": "the highest cost one operation may have",
    "max_anonymous_query_cost": "the highest cost of an operation without a token",
    "max_anonymous_introspection_cost": "the highest cost of an introspecting operation "
    "without a token",
    "cost_budget": "charge each caller's operations to a budget that refills over time",
    "cost_budget_capacity": "the points a caller's budget holds",
    "cost_budget_refill_per_second": "the points a caller's budget regains each second",
    "cost_budget_reserve": "the points a server process takes ahead from a budget",
    "sign_in_max_failures": "failed sign-ins of a login from one address that lock it "
    "for that address",
    "sign_in_login_ceiling": "failed sign-ins of a login from all addresses within 15 "
    "minutes past which each of its sign-ins is slowed down",
    "sign_in_slowdown_seconds": "how long each sign-in of a login past its ceiling waits",
    "introspection": "answer __schema and __type (GraphiQL and code generators need them)",
    "compiled_execution": "answer the users page and other plain reads by the compiled "
    "executor; false runs every query through Strawberry",
    "field_suggestions": 'say "Did you mean …" in error messages',
    "web_assets": "the node_modules folder with GraphiQL's files (`npm ci`)",
    "metrics_outbox_seconds": "how often /metrics may count the outbox",
    "log_level": "the least level logged: DEBUG, INFO, WARNING, ERROR or CRITICAL",
}

# Defaults that are not a plain value.
UNSET = {
    "database_url": f"the SQLite file {DEFAULT_DATABASE_FILE} in the working folder",
    "secret_key": f"on SQLite, a key made and kept beside the database "
    f"({DEFAULT_DATABASE_FILE}.secret)",
    "cors_origins": "none",
    "field_suggestions": "as CONNECT_INTROSPECTION",
    "web_assets": "the copy an installed wheel carries, else ./node_modules, else the "
    "one beside a source checkout's pyproject.toml",
}


def variable(name: str) -> str:
    return PREFIX + name.upper()


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


def default_text(name: str, field: FieldInfo) -> str:
    if name in UNSET:
        return UNSET[name]
    return _plain(field.get_default(call_default_factory=True))


def environment_help(width: int = 79) -> str:
    """For ``connect-admin --help``: every variable, its default, what it means."""
    lines = ["environment variables (read at start; the default after =):"]
    for name, field in Settings.model_fields.items():
        default = default_text(name, field)
        lines.append(f"  {variable(name)}=" + (default if name not in UNSET else ""))
        meaning = MEANINGS.get(name, "")
        if name in UNSET:
            meaning = f"{meaning}; unset: {default}" if meaning else f"unset: {default}"
        lines.extend(
            textwrap.wrap(meaning, width, initial_indent=" " * 6, subsequent_indent=" " * 6)
        )
    lines.append("")
    lines.append("`connect-admin config` prints the values in effect, secrets masked.")
    lines.append(
        "Traces (OpenTelemetry, off by default): OTEL_EXPORTER_OTLP_ENDPOINT and the other\n"
        "OTEL_… variables turn them on (docs/operators/traces.md)."
    )
    return "\n".join(lines)


@dataclass(frozen=True)
class Effective:
    variable: str
    value: str  # "=VALUE", or " unset: what then"
    source: str  # "environment" or "default"


def effective_configuration(settings: Settings) -> Iterator[Effective]:
    """Each setting's value in effect: a password in the database URL and every secret
    masked."""
    for name in Settings.model_fields:
        value = getattr(settings, name)
        source = "environment" if name in settings.model_fields_set else "default"
        if isinstance(value, SecretStr):
            text = f"={MASK}"
        elif name == "database_url":
            from server.commandline.preflight import where

            text = f"={where(value)}"
        elif value is None and name == "secret_key":
            text = f" unset: {_key_in_use(settings)}"
        elif value is None or value == []:
            text = f" unset: {UNSET.get(name, 'none')}"
        else:
            text = f"={_plain(value)}"
        yield Effective(variable(name), text, source)


def _key_in_use(settings: Settings) -> str:
    if not is_sqlite_url(settings.database_url):
        return "required with PostgreSQL"
    path = secret_key_file(settings.database_url)
    if path is None:
        return "a key for this process only (the database is in memory)"
    return f"the key file {path}"

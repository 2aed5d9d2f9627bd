"""What the worker processes share besides the data: idempotency keys, the progress of
long operations and the callers' query cost budgets."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Integer, String, Table, Text

from persistence.tables.columns import UtcDateTime, metadata

# Responses kept for requests that carried an Idempotency-Key header.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    # The caller (a hash of its credentials) and the key it chose.
    Column("scope", String(64), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False, index=True),
    # Null while the first request with the key still runs.
    Column("status_code", Integer, nullable=True),
    Column("content_type", String(100), nullable=True),
    Column("response", Text, nullable=True),
)


# Progress of long operations (resetUsers with an operationId), for the
# resetProgress subscribers of every worker process. Short-lived: a record is
# forgotten a few minutes after its last update. No foreign key to the caller:
# the record outlives nothing and is gone with time.
operation_progress = Table(
    "operation_progress",
    metadata,
    Column("caller_id", Integer, primary_key=True, autoincrement=False),
    Column("operation_id", String(128), primary_key=True),
    # Which start of the operation: an id may be used again once its run finished.
    Column("run_id", String(32), nullable=False),
    # Null until the first report.
    Column("done", Integer, nullable=True),
    Column("total", Integer, nullable=True),
    Column("finished", Boolean, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False, index=True),
    # The finished run this one replaced, for subscribers that followed it.
    Column("previous_run_id", String(32), nullable=True),
    Column("previous_done", Integer, nullable=True),
    Column("previous_total", Integer, nullable=True),
)


# The query cost budget of each caller (a token bucket), for every worker and host.
cost_budgets = Table(
    "cost_budgets",
    metadata,
    # The principal ("administrator:7", "user:12") or a hash of its API token
    # (gql/limits/budget.py), never the token.
    Column("caller", String(64), primary_key=True),
    # Points left at refilled_at.
    Column("tokens", Float, nullable=False),
    # Seconds since the epoch: refilling is arithmetic on it in SQL, alike on every
    # backend. Not indexed: it changes on every request, and an index would cost a
    # write each time (and PostgreSQL's HOT updates); the rare purge scans.
    Column("refilled_at", Float, nullable=False),
    # Whether the last request got its points.
    Column("granted", Boolean, nullable=False),
)

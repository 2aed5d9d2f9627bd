"""Reset jobs (domain/reset_job_model.py) and each user's result in them."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from persistence.tables.columns import (
    CLAIM_TOKEN_LENGTH,
    ENUM_LENGTH,
    LOGIN_LENGTH,
    UtcDateTime,
    id_column,
    json_column,
    metadata,
)
from persistence.tables.reset_undo import RESET_ID_LENGTH

# A job's operationId for resetProgress (as operation_progress keeps them).
OPERATION_ID_LENGTH = 128

reset_jobs = Table(
    "reset_jobs",
    metadata,
    id_column(),
    # Not a reference: a job and its report outlive a deleted administrator.
    Column("admin_id", Integer, nullable=False, index=True),
    Column("admin_login", String(LOGIN_LENGTH), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("run_at", UtcDateTime(), nullable=False),
    Column("state", String(ENUM_LENGTH), nullable=False),
    Column("options", json_column(), nullable=False),
    Column("password_link", Boolean, nullable=True),
    Column("selection", json_column(), nullable=True),
    Column("requested", json_column(), nullable=True),
    Column("operation_id", String(OPERATION_ID_LENGTH), nullable=False),
    Column("stop_requested", Boolean, nullable=False),
    Column("started_at", UtcDateTime(), nullable=True),
    Column("finished_at", UtcDateTime(), nullable=True),
    Column("claimed_until", UtcDateTime(), nullable=True),
    Column("claim_token", String(CLAIM_TOKEN_LENGTH), nullable=True),
    Column("total", Integer, nullable=True),
    Column("done", Integer, nullable=False),
    Column("succeeded", Integer, nullable=False),
    Column("partial", Integer, nullable=False),
    Column("failed", Integer, nullable=False),
    Column("reset_id", String(RESET_ID_LENGTH), nullable=True),
    Column("error", String(ENUM_LENGTH), nullable=True),
    Column("keep_until", UtcDateTime(), nullable=True, index=True),
    # What a worker's claim looks for: the due jobs of a state.
    Index("ix_reset_jobs_state_run_at", "state", "run_at"),
)

# One row per user of a job, in request order; never a secret.
reset_job_results = Table(
    "reset_job_results",
    metadata,
    Column("job_id", Integer, ForeignKey("reset_jobs.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("user_key", Text, nullable=False),
    Column("user_id", Integer, nullable=True),
    Column("login", String(LOGIN_LENGTH), nullable=True),
    Column("status", String(ENUM_LENGTH), nullable=False),
    Column("actions", json_column(), nullable=False),
    Column("errors", json_column(), nullable=False),
    Column("warnings", json_column(), nullable=False),
    PrimaryKeyConstraint("job_id", "position"),
)

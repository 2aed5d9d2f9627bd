"""Reset jobs: a reset stored to run later or in the background, claimed by one
worker, with each user's result for the report.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# expand: two new tables; older releases still serve after it (they run no jobs).
COMPATIBILITY = "expand"

JOBS = "reset_jobs"
RESULTS = "reset_job_results"


def upgrade() -> None:
    op.create_table(
        JOBS,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("admin_id", sa.Integer(), nullable=False),
        sa.Column("admin_login", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("options", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("password_link", sa.Boolean(), nullable=True),
        sa.Column("selection", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("requested", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("operation_id", sa.String(length=128), nullable=False),
        sa.Column("stop_requested", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("succeeded", sa.Integer(), nullable=False),
        sa.Column("partial", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("reset_id", sa.String(length=64), nullable=True),
        sa.Column("error", sa.String(length=32), nullable=True),
        sa.Column("keep_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reset_jobs")),
    )
    for column in ("admin_id", "keep_until"):
        op.create_index(op.f(f"ix_{JOBS}_{column}"), JOBS, [column], unique=False)
    op.create_index("ix_reset_jobs_state_run_at", JOBS, ["state", "run_at"], unique=False)
    op.create_table(
        RESULTS,
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("user_key", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("login", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("actions", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("errors", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("warnings", sa.JSON(none_as_null=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["reset_jobs.id"],
            name=op.f("fk_reset_job_results_job_id_reset_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", "position", name=op.f("pk_reset_job_results")),
    )


def downgrade() -> None:
    op.drop_table(RESULTS)
    op.drop_index("ix_reset_jobs_state_run_at", table_name=JOBS)
    for column in ("admin_id", "keep_until"):
        op.drop_index(op.f(f"ix_{JOBS}_{column}"), table_name=JOBS)
    op.drop_table(JOBS)

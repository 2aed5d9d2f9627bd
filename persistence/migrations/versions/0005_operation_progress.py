"""Progress of long operations, shared by the worker processes of one server.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "operation_progress",
        sa.Column("caller_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("operation_id", sa.String(length=128), nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("done", sa.Integer(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("finished", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("previous_run_id", sa.String(length=32), nullable=True),
        sa.Column("previous_done", sa.Integer(), nullable=True),
        sa.Column("previous_total", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("caller_id", "operation_id", name=op.f("pk_operation_progress")),
    )
    op.create_index(
        op.f("ix_operation_progress_updated_at"),
        "operation_progress",
        ["updated_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_operation_progress_updated_at"), table_name="operation_progress")
    op.drop_table("operation_progress")

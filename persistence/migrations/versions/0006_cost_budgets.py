"""Query cost budgets of the callers, shared by the worker processes and hosts.

On PostgreSQL the table is UNLOGGED: every request writes its row, and a
write to an unlogged table needs no write-ahead log and no flush at commit.
After a crash the table is empty, so every budget starts full again: for a
rate limit, the right loss.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    unlogged = ["UNLOGGED"] if op.get_bind().dialect.name == "postgresql" else []
    op.create_table(
        "cost_budgets",
        sa.Column("caller", sa.String(length=64), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("refilled_at", sa.Float(), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("caller", name=op.f("pk_cost_budgets")),
        prefixes=unlogged,
    )


def downgrade() -> None:
    op.drop_table("cost_budgets")

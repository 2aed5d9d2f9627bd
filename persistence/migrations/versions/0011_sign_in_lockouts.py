"""Sign-in lockouts per login and client address: the failures keep their client,
and a table keeps each lockout (for its back-off and for /metrics).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# expand: a column with a default and a table; older releases still serve after it.
COMPATIBILITY = "expand"

TABLE = "sign_in_lockouts"


def upgrade() -> None:
    with op.batch_alter_table("sign_in_failures") as batch:
        batch.add_column(
            sa.Column("client", sa.String(length=64), server_default="", nullable=False)
        )
    op.create_table(
        TABLE,
        sa.Column("key", sa.String(length=264), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", "client", name=op.f("pk_sign_in_lockouts")),
    )


def downgrade() -> None:
    op.drop_table(TABLE)
    with op.batch_alter_table("sign_in_failures") as batch:
        batch.drop_column("client")

"""Forgot password: a location may let its users ask for a set-password link.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# expand: a nullable column; older releases still serve after it (they ignore it, and
# NULL means off).
COMPATIBILITY = "expand"


def upgrade() -> None:
    with op.batch_alter_table("locations") as batch:
        batch.add_column(sa.Column("forgot_password", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("locations") as batch:
        batch.drop_column("forgot_password")

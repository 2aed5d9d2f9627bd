"""An administrator's password set by another administrator is temporary: a flag says
that it must be changed at the next sign-in.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# expand: a column with a default; an older release still adds and reads administrators.
COMPATIBILITY = "expand"


def upgrade() -> None:
    with op.batch_alter_table("administrators") as batch:
        batch.add_column(
            sa.Column(
                "password_change_required", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("administrators") as batch:
        batch.drop_column("password_change_required")

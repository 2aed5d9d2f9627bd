"""Which releases may serve the database: the oldest revision a release must know.

A rolling upgrade runs two releases against one database for a while: the newer
one migrates, the older one goes on serving and may restart. Migrations that only
add (expand) leave this row alone, so every release that knows the revision named
here may still serve; a migration that removes or reshapes what an older release
uses (contract) names its own revision here, and older releases refuse to start.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# expand: older releases that know "oldest_revision" still serve after it.
COMPATIBILITY = "expand"


def upgrade() -> None:
    table = op.create_table(
        "release_compatibility",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("oldest_revision", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_compatibility")),
        sa.CheckConstraint("id = 1", name=op.f("ck_release_compatibility_one_row")),
    )
    op.bulk_insert(table, [{"id": 1, "oldest_revision": revision}])


def downgrade() -> None:
    op.drop_table("release_compatibility")

"""Password links: a reset may mail a one-time link to a set-password page instead
of the password; a location may make that its default.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# expand: a new table and a nullable column; older releases still serve after it
# (they make no links and ignore the column).
COMPATIBILITY = "expand"


def upgrade() -> None:
    op.create_table(
        "password_links",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=255), nullable=False),
        sa.Column("password_stamp", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_password_links_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_password_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_links_token_hash")),
    )
    with op.batch_alter_table("locations") as batch:
        batch.add_column(sa.Column("password_link", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("locations") as batch:
        batch.drop_column("password_link")
    op.drop_table("password_links")

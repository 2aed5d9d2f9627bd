"""The mails' language (users, locations), the locations' sign-in hint and their own
mail templates.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# expand: new nullable columns and a new table; older releases ignore them.
COMPATIBILITY = "expand"

TABLE = "mail_templates"


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("language", sa.String(length=16), nullable=True))
    with op.batch_alter_table("locations") as locations:
        locations.add_column(sa.Column("language", sa.String(length=16), nullable=True))
        locations.add_column(sa.Column("sign_in_hint", sa.Text(), nullable=True))
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_mail_templates_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_templates")),
        sa.UniqueConstraint(
            "location_id",
            "kind",
            "language",
            name=op.f("uq_mail_templates_location_id_kind_language"),
        ),
    )
    op.create_index(op.f(f"ix_{TABLE}_location_id"), TABLE, ["location_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f(f"ix_{TABLE}_location_id"), table_name=TABLE)
    op.drop_table(TABLE)
    with op.batch_alter_table("locations") as locations:
        locations.drop_column("sign_in_hint")
        locations.drop_column("language")
    with op.batch_alter_table("users") as users:
        users.drop_column("language")

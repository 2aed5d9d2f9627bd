"""Audit events remember the location they concern, so that a sub-administrator
still sees an event once its user is deleted.

Existing events about users get the user's present location.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite rebuilds the table to add the foreign key.
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("location_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_audit_events_location_id_locations"),
            "locations",
            ["location_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(op.f("ix_audit_events_location_id"), ["location_id"], unique=False)
    op.execute(
        "UPDATE audit_events SET location_id = "
        "(SELECT users.location_id FROM users WHERE users.id = audit_events.target_user_id) "
        "WHERE target_user_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_index(op.f("ix_audit_events_location_id"))
        batch.drop_constraint(op.f("fk_audit_events_location_id_locations"), type_="foreignkey")
        batch.drop_column("location_id")

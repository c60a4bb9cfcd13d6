"""tidy mode, KE overdue notices

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ke_notified_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("koordinator", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tidy_mode", sa.Boolean(), server_default="1", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("koordinator", schema=None) as batch_op:
        batch_op.drop_column("tidy_mode")

    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.drop_column("ke_notified_at")

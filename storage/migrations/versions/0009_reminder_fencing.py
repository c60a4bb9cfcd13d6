"""digest_log as a lease: who is sending the week's digest, and until when

A digest row with `claimed_until` set is being sent (claimed by `claimed_by`); once
Telegram accepted it, `claimed_until` is cleared. A claim whose lease ran out (the
process died, or the send failed for now) is taken again by a later sweep.

Revision ID: 0009
Revises: 0005
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("digest_log") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("digest_log") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")

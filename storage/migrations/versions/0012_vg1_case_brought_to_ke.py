"""deadline.ke_brought_at: when the KE was asked to take up the case's Vg1 transition

Skaun: «Ved overgang til videregående skole tas saken opp i Koordinerende team og det
avtales hvem som skal følge opp saken fra kommunen». The sweep tells the KE once per
Vg1 start deadline; this column records that it has.

Revision ID: 0012
Revises: 0010
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deadline") as batch:
        batch.add_column(sa.Column("ke_brought_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deadline") as batch:
        batch.drop_column("ke_brought_at")

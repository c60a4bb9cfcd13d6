"""reminder (deadline_id, status): the press paths find a deadline's pending reminders

Marking a deadline done, dismissing it, snoozing or moving it and closing its case
update or delete `reminder` rows by `deadline_id` and `status`. Without statistics
SQLite chose the (status, send_at) index for that and walked every pending reminder of
the municipality on each press; an index led by `deadline_id` with `status` next is
the one it (and PostgreSQL) picks now.

case (status, closed_at): the retention purge, run with the sweep, looks for cases closed
before a day instead of reading every case.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_reminder_deadline_status", "reminder", ["deadline_id", "status"])
    op.create_index("ix_case_status_closed_at", "case", ["status", "closed_at"])


def downgrade() -> None:
    op.drop_index("ix_case_status_closed_at", table_name="case")
    op.drop_index("ix_reminder_deadline_status", table_name="reminder")

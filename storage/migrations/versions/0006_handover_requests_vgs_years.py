"""KE requests (handover, closing), handover overlap, years of upper secondary;
renamed transition kind and close reason

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_KIND, _NEW_KIND = "vgs_meldefrist_sakkyndig", "vgs_melding_fylket"


def upgrade() -> None:
    op.create_table(
        "case_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("proposed_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("wish", sa.String(length=12), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
            name=op.f("fk_case_request_case_id_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_request")),
    )
    with op.batch_alter_table("case_request", schema=None) as batch_op:
        batch_op.create_index("ix_case_request_case_status", ["case_id", "status"], unique=False)

    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vgs_years", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("koordinator_since", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("previous_koordinator_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("previous_until", sa.Date(), nullable=True))

    # 1 October is a county rule, not a national deadline: the kind got a new code.
    op.execute(
        sa.text(
            "UPDATE deadline SET kind = :new, source_ref = :new_ref "
            "WHERE kind = :old AND source_ref = :old_ref"
        ).bindparams(
            new=_NEW_KIND,
            new_ref=f"transition:{_NEW_KIND}",
            old=_OLD_KIND,
            old_ref=f"transition:{_OLD_KIND}",
        )
    )
    op.execute(
        sa.text("UPDATE deadline SET kind = :new WHERE kind = :old").bindparams(
            new=_NEW_KIND, old=_OLD_KIND
        )
    )
    # «Planen trengs ikke lenger» is a change of level, no longer a reason to close.
    op.execute(
        sa.text('UPDATE "case" SET close_reason = :new WHERE close_reason = :old').bindparams(
            new="ikke_behov", old="plan_not_needed"
        )
    )


def downgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE deadline SET kind = :old, source_ref = :old_ref "
            "WHERE kind = :new AND source_ref = :new_ref"
        ).bindparams(
            new=_NEW_KIND,
            new_ref=f"transition:{_NEW_KIND}",
            old=_OLD_KIND,
            old_ref=f"transition:{_OLD_KIND}",
        )
    )
    op.execute(
        sa.text("UPDATE deadline SET kind = :old WHERE kind = :new").bindparams(
            new=_NEW_KIND, old=_OLD_KIND
        )
    )
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("previous_until")
        batch_op.drop_column("previous_koordinator_id")
        batch_op.drop_column("koordinator_since")
        batch_op.drop_column("vgs_years")

    with op.batch_alter_table("case_request", schema=None) as batch_op:
        batch_op.drop_index("ix_case_request_case_status")

    op.drop_table("case_request")

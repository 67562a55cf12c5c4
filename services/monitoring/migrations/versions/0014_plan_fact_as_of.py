"""MON-8: a prepayment plan's fact keeps when settlement announced it, so an older announcement
that arrives late (history republished after a broker loss) never replaces a newer one
(issue 21). Rows from before know no time: the epoch, so the next announcement replaces them.

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("prepayment_plan_facts", sa.Column(
        "as_of", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("'epoch'::timestamptz"),
        comment="occurred_at of the settlement.prepayment.planned event this row reflects"))
    op.alter_column("prepayment_plan_facts", "as_of", server_default=None)


def downgrade() -> None:
    op.drop_column("prepayment_plan_facts", "as_of")

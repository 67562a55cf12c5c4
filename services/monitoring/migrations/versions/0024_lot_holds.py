"""CAT-14: each delivered line's lot (the hospitals that accepted a lot held later are alerted),
and an alert's ``subject`` (the lot held) in the key that raises an alert once.

Revision ID: 0024
Revises: 0023
"""
import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

KEY = ["kind", "period", "batch_code", "hospital_code", "company_code", "product_id", "group_code"]


def upgrade() -> None:
    op.create_table(
        "delivered_lots",
        sa.Column("delivery_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("line_no", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("product_id", sa.BigInteger, nullable=False),
        sa.Column("lot", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("delivery_id", "line_no", name="pk_delivered_lots"),
    )
    op.add_column("alerts", sa.Column("subject", sa.String(64), server_default="", nullable=False, comment=(
        "what else tells two alerts of one kind apart: the lot held (lot_hold, CAT-14), the agreement "
        "(distributor_uncovered, CAT-15; unsigned, MON-15), the request (account_not_opened, CON-10); '' for "
        "most kinds")))
    op.drop_constraint("uq_alerts_once", "alerts", type_="unique")
    op.create_unique_constraint("uq_alerts_once", "alerts", [*KEY, "subject"])


def downgrade() -> None:
    op.drop_constraint("uq_alerts_once", "alerts", type_="unique")
    op.create_unique_constraint("uq_alerts_once", "alerts", KEY)
    op.drop_column("alerts", "subject")
    op.drop_table("delivered_lots")

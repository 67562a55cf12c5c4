"""CON-9: each hospital's first order of a batch (a hospital with year-1 items and no order by
the start day is alerted).

Revision ID: 0025
Revises: 0024
"""
import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "first_orders",
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("ordered_on", sa.Date, nullable=False, comment="the day of its first order (Asia/Shanghai)"),
        sa.PrimaryKeyConstraint("hospital_code", "batch_code", name="pk_first_orders"),
    )


def downgrade() -> None:
    op.drop_table("first_orders")

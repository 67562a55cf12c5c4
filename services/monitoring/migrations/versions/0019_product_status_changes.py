"""MON-1 (issue 25): each product's status from a day, so that an item accrues no target while
its product is suspended or disqualified. Filled for earlier changes by a replay of vbp.catalog.

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "product_status_changes",
        sa.Column("product_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("effective_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False, comment="occurred_at of the event kept"),
        sa.PrimaryKeyConstraint("product_id", "effective_on", name="pk_product_status_changes"),
    )


def downgrade() -> None:
    op.drop_table("product_status_changes")

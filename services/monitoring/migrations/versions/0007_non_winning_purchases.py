"""MON-5 purchases of non-winning products, pushed monthly by the exchange.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "non_winning_purchases",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("group_code", sa.String(64), nullable=False),
        sa.Column("product", sa.String(200), nullable=False, comment="the non-winning product as the exchange names it"),
        sa.Column("month", sa.Date, nullable=False, comment="the first day of the month"),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("pushed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_non_winning_purchases"),
        sa.UniqueConstraint("hospital_code", "batch_code", "group_code", "product", "month",
                            name="uq_non_winning_once"),
        sa.CheckConstraint("quantity >= 0 AND amount_fen >= 0", name="ck_non_winning_purchases_not_negative"),
    )


def downgrade() -> None:
    op.drop_table("non_winning_purchases")

"""MON-9 baseline prices pushed by the exchange.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "baseline_prices",
        sa.Column("product_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("baseline_price_fen", sa.BigInteger, nullable=False, comment="the pre-procurement purchase price"),
        sa.Column("set_by", sa.String(100), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("product_id", name="pk_baseline_prices"),
        sa.CheckConstraint("baseline_price_fen >= 0", name="ck_baseline_prices_baseline_not_negative"),
    )


def downgrade() -> None:
    op.drop_table("baseline_prices")

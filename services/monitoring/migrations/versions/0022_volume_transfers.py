"""CON-7: the volume transfers contracts announced (MON-1 assesses a failing item to the day
before its transfer, the backup's new item from it).

Revision ID: 0022
Revises: 0021
"""
import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "volume_transfers",
        sa.Column("transfer_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("agreement_year", sa.Integer, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("failing_product_id", sa.BigInteger, nullable=False),
        sa.Column("backup_product_id", sa.BigInteger, nullable=False),
        sa.Column("backup_item_new", sa.Boolean, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("transfer_on", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("transfer_id", name="pk_volume_transfers"),
    )
    op.create_index("ix_volume_transfers_hospital_code", "volume_transfers", ["hospital_code"])


def downgrade() -> None:
    op.drop_table("volume_transfers")

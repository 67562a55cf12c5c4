"""CAT-13: backups designated for failing winning products, per region.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "backups",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("failing_product_id", sa.BigInteger, nullable=False),
        sa.Column("backup_product_id", sa.BigInteger, nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("price_fen", sa.BigInteger, nullable=False, comment="the backup's price when designated (with service)"),
        sa.Column("price_cap_fen", sa.BigInteger, comment="a non-winning backup's cap; NULL for a winner"),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), server_default="active", nullable=False),
        sa.Column("designated_by", sa.String(100), nullable=False),
        sa.Column("designated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("withdrawn_by", sa.String(100)),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
        sa.Column("withdrawal_reason", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_backups"),
        sa.ForeignKeyConstraint(["batch_code"], ["batches.code"], name="fk_backups_batch_code_batches"),
        sa.ForeignKeyConstraint(["failing_product_id"], ["products.id"], name="fk_backups_failing_product_id_products"),
        sa.ForeignKeyConstraint(["backup_product_id"], ["products.id"], name="fk_backups_backup_product_id_products"),
        sa.CheckConstraint("status IN ('active', 'withdrawn')", name="ck_backups_status_known"),
        sa.CheckConstraint("failing_product_id <> backup_product_id", name="ck_backups_not_itself"),
    )
    op.create_index("ix_backups_failing_product_id", "backups", ["failing_product_id"])
    op.create_index("ix_backups_backup_product_id", "backups", ["backup_product_id"])
    op.create_index("uq_backups_active", "backups", ["failing_product_id", "backup_product_id", "region_code"],
                    unique=True, postgresql_where=sa.text("status = 'active'"))


def downgrade() -> None:
    op.drop_table("backups")

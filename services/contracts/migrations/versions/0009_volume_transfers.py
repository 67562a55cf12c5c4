"""CON-7: the backups designated in catalog (CAT-13, vbpkit.projections.Backups) and the volume
transfers to them.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op
from vbpkit.projections.migrations import create_backup_view_v1, drop_backup_view_v1

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_backup_view_v1()
    op.create_table(
        "volume_transfers",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("agreement_year", sa.Integer, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("failing_product_id", sa.BigInteger, nullable=False),
        sa.Column("failing_agreement_id", sa.BigInteger, nullable=False),
        sa.Column("failing_manufacturer_code", sa.String(18), nullable=False),
        sa.Column("backup_id", sa.BigInteger, nullable=False, comment="the CAT-13 designation transferred to"),
        sa.Column("backup_product_id", sa.BigInteger, nullable=False),
        sa.Column("backup_agreement_id", sa.BigInteger, nullable=False),
        sa.Column("backup_manufacturer_code", sa.String(18), nullable=False),
        sa.Column("backup_item_new", sa.Boolean, nullable=False,
                  comment="the hospital had no item of the backup before"),
        sa.Column("distributor_code", sa.String(18)),
        sa.Column("remaining", sa.Integer, nullable=False, comment="agreed − accepted net of returns when transferred"),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("unit_price_fen", sa.BigInteger, nullable=False, comment="the backup's price for this hospital"),
        sa.Column("transfer_on", sa.Date, nullable=False),
        sa.Column("emergency", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False, comment="the hospital's region (who may read it)"),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["failing_agreement_id"], ["agreements.id"],
                                name="fk_volume_transfers_failing_agreement_id_agreements"),
        sa.ForeignKeyConstraint(["backup_agreement_id"], ["agreements.id"],
                                name="fk_volume_transfers_backup_agreement_id_agreements"),
        sa.PrimaryKeyConstraint("id", name="pk_volume_transfers"),
        sa.UniqueConstraint("hospital_code", "failing_product_id", "agreement_year", "batch_code",
                            name="uq_volume_transfers_item"),
    )
    op.create_index("ix_volume_transfers_hospital_code", "volume_transfers", ["hospital_code"])
    op.create_index("ix_volume_transfers_failing_manufacturer_code", "volume_transfers", ["failing_manufacturer_code"])
    op.create_index("ix_volume_transfers_backup_manufacturer_code", "volume_transfers", ["backup_manufacturer_code"])


def downgrade() -> None:
    op.drop_table("volume_transfers")
    drop_backup_view_v1()

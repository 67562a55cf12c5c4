"""MON-12: shortages reported, escalated and resolved; the backups designated in catalog
(CAT-13, vbpkit.projections.Backups), which a supply-failure alert names.

Revision ID: 0023
Revises: 0022
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from vbpkit.projections.migrations import create_backup_view_v1, drop_backup_view_v1

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_backup_view_v1()
    op.create_table(
        "shortages",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("product_id", sa.BigInteger, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("company_code", sa.String(18), nullable=False, comment="the product's manufacturer"),
        sa.Column("region_code", sa.String(6), nullable=False, comment="where the product is short"),
        sa.Column("hospital_code", sa.String(64), comment="the hospital that reported it"),
        sa.Column("handling_region_code", sa.String(6), nullable=False, comment="whose insurer handles it now"),
        sa.Column("since", sa.Date, nullable=False),
        sa.Column("quantity_short", sa.Integer, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), server_default="open", nullable=False, comment="open | resolved"),
        sa.Column("escalations", postgresql.JSONB, server_default="[]", nullable=False,
                  comment="[{from, to, by, on, note}] in order"),
        sa.Column("reported_by", sa.String(100), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("action", sa.String(16), comment="backup | transfer | restored | other"),
        sa.Column("resolution", sa.Text, comment="what was done"),
        sa.Column("resolved_by", sa.String(100)),
        sa.Column("resolved_on", sa.Date),
        sa.CheckConstraint("status IN ('open', 'resolved')", name="ck_shortages_status_known"),
        sa.CheckConstraint("action IS NULL OR action IN ('backup', 'transfer', 'restored', 'other')",
                           name="ck_shortages_action_known"),
        sa.CheckConstraint("quantity_short > 0", name="ck_shortages_quantity_positive"),
        sa.PrimaryKeyConstraint("id", name="pk_shortages"),
    )
    op.create_index("ix_shortages_product_id", "shortages", ["product_id"])
    op.create_index("ix_shortages_company_code", "shortages", ["company_code"])
    op.create_index("ix_shortages_hospital_code", "shortages", ["hospital_code"])


def downgrade() -> None:
    op.drop_table("shortages")
    drop_backup_view_v1()

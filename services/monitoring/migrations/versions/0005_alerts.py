"""MON-2/MON-3/MON-5 alerts, raised once per condition and period.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False, comment="stockpiling (MON-2) | onboarding (MON-3) | substitutes (MON-5)"),
        sa.Column("rule", sa.String(16), nullable=False),
        sa.Column("period", sa.String(16), nullable=False, comment="the month (YYYY-MM) or the check it belongs to"),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("company_code", sa.String(18), server_default="", nullable=False,
                  comment="'' where not one company's"),
        sa.Column("product_id", sa.BigInteger, server_default="0", nullable=False, comment="0 where not one product's"),
        sa.Column("group_code", sa.String(64), server_default="", nullable=False, comment="'' where not one group's"),
        sa.Column("region_code", sa.String(6), nullable=True),
        sa.Column("status", sa.String(16), server_default="open", nullable=False),
        sa.Column("raised_on", sa.Date, nullable=False),
        sa.Column("details", JSONB, nullable=False),
        sa.Column("note", sa.Text, nullable=True, comment="the acknowledgement's note"),
        sa.Column("acknowledged_by", sa.String(100), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_on", sa.Date, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
        sa.UniqueConstraint("kind", "period", "batch_code", "hospital_code", "company_code", "product_id",
                            "group_code", name="uq_alerts_once"),
        sa.CheckConstraint("status IN ('open', 'acknowledged', 'resolved')", name="ck_alerts_status_known"),
    )
    op.create_index("ix_alerts_batch_code", "alerts", ["batch_code"])
    op.create_index("ix_alerts_hospital_code", "alerts", ["hospital_code"])


def downgrade() -> None:
    op.drop_table("alerts")

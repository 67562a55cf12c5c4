"""MON-13: hospitals' supply problem reports, the companies' answers and the insurer's decisions.

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supply_reports",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("region_code", sa.String(6), comment="the hospital's, when reported"),
        sa.Column("company_code", sa.String(18), nullable=False, comment="the company the report names"),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("order_id", sa.BigInteger, nullable=False),
        sa.Column("line_no", sa.Integer, comment="NULL: the whole order"),
        sa.Column("kind", sa.String(32), nullable=False,
                  comment="not_delivered | late | accompanying_service_missing | quality"),
        sa.Column("occurred_on", sa.Date, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), server_default="open", nullable=False,
                  comment="open | confirmed | dismissed"),
        sa.Column("reported_by", sa.String(100), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("answer", sa.Text, comment="the company's answer"),
        sa.Column("answered_by", sa.String(100)),
        sa.Column("answered_at", sa.DateTime(timezone=True)),
        sa.Column("decision_reason", sa.Text),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("breach_id", sa.BigInteger, comment="the MON-6 breach it was confirmed into"),
        sa.PrimaryKeyConstraint("id", name="pk_supply_reports"),
        sa.CheckConstraint("status IN ('open', 'confirmed', 'dismissed')", name="ck_supply_reports_status_known"),
        sa.CheckConstraint("kind IN ('not_delivered', 'late', 'accompanying_service_missing', 'quality')",
                           name="ck_supply_reports_kind_known"),
    )
    op.create_index("ix_supply_reports_hospital_code", "supply_reports", ["hospital_code"])
    op.create_index("ix_supply_reports_company_code", "supply_reports", ["company_code"])
    op.create_index("ix_supply_reports_order", "supply_reports", ["order_id", "line_no"])


def downgrade() -> None:
    op.drop_table("supply_reports")

"""MON-6 supply lines, the monthly supply of each item (MON-8), breaches and ratings.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supply_lines",
        sa.Column("order_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("line_no", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("product_id", sa.BigInteger, nullable=False),
        sa.Column("manufacturer_code", sa.String(18), nullable=False),
        sa.Column("distributor_code", sa.String(18), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("ordered_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, comment="confirmed | declined"),
        sa.Column("answered_on", sa.Date, nullable=False),
        sa.Column("decline_reason", sa.Text, nullable=True),
        sa.Column("delivered_quantity", sa.Integer, server_default="0", nullable=False),
        sa.Column("first_delivered_on", sa.Date, nullable=True),
        sa.Column("completed_on", sa.Date, nullable=True),
        sa.PrimaryKeyConstraint("order_id", "line_no", name="pk_supply_lines"),
        sa.CheckConstraint("status IN ('confirmed', 'declined')", name="ck_supply_lines_status_known"),
    )
    op.create_index("ix_supply_lines_company", "supply_lines", ["manufacturer_code", "ordered_on"])
    op.create_table(
        "monthly_supply",
        sa.Column("month", sa.Date, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("product_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("manufacturer_code", sa.String(18), nullable=False),
        sa.Column("ordered_quantity", sa.BigInteger, server_default="0", nullable=False),
        sa.Column("confirmed_quantity", sa.BigInteger, server_default="0", nullable=False),
        sa.Column("declined_quantity", sa.BigInteger, server_default="0", nullable=False),
        sa.Column("delivered_quantity", sa.BigInteger, server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("month", "batch_code", "hospital_code", "product_id", "manufacturer_code",
                                name="pk_monthly_supply"),
    )
    op.create_table(
        "breaches",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("company_code", sa.String(18), nullable=False),
        sa.Column("batch_code", sa.String(64), server_default="", nullable=False),
        sa.Column("kind", sa.String(32), nullable=False, comment="late_supply | failed_supply | price | "
                  "accompanying_service | quality | illegal_conduct"),
        sa.Column("severity", sa.String(8), nullable=False, comment="一般 | 中等 | 严重 | 特别严重"),
        sa.Column("occurred_on", sa.Date, nullable=False),
        sa.Column("source", sa.String(16), nullable=False, comment="detected | recorded"),
        sa.Column("hospital_code", sa.String(64), nullable=True),
        sa.Column("distributor_code", sa.String(18), nullable=True),
        sa.Column("order_id", sa.BigInteger, nullable=True),
        sa.Column("line_no", sa.Integer, nullable=True),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("exempt", sa.Boolean, server_default="false", nullable=False, comment="force majeure (不可抗力)"),
        sa.Column("exemption_reason", sa.Text, nullable=True),
        sa.Column("exempted_by", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_breaches"),
        sa.UniqueConstraint("kind", "order_id", "line_no", name="uq_breaches_line"),
        sa.CheckConstraint("severity IN ('一般', '中等', '严重', '特别严重')", name="ck_breaches_severity_known"),
        sa.CheckConstraint("source IN ('detected', 'recorded')", name="ck_breaches_source_known"),
    )
    op.create_index("ix_breaches_company_code", "breaches", ["company_code"])
    op.create_table(
        "company_ratings",
        sa.Column("company_code", sa.String(18), nullable=False),
        sa.Column("rating", sa.String(8), nullable=True, comment="the most severe breach counted; NULL for none"),
        sa.Column("since", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("company_code", name="pk_company_ratings"),
    )


def downgrade() -> None:
    op.drop_table("company_ratings")
    op.drop_table("breaches")
    op.drop_table("monthly_supply")
    op.drop_table("supply_lines")

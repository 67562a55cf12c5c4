"""MON-13: the costs hospitals proved against companies' breaches (recorded, not deducted).

Revision ID: 0021
Revises: 0020
"""
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "breach_costs",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("breach_id", sa.BigInteger, nullable=False),
        sa.Column("company_code", sa.String(18), nullable=False, comment="the breach's company"),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("region_code", sa.String(6), comment="the hospital's"),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("what_for", sa.Text, nullable=False),
        sa.Column("evidence_ref", sa.String(200), nullable=False, comment="where the proof is (a document number)"),
        sa.Column("incurred_on", sa.Date, nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_breach_costs"),
        sa.CheckConstraint("amount_fen > 0", name="ck_breach_costs_amount_positive"),
    )
    op.create_index("ix_breach_costs_breach_id", "breach_costs", ["breach_id"])
    op.create_index("ix_breach_costs_company_code", "breach_costs", ["company_code"])


def downgrade() -> None:
    op.drop_table("breach_costs")

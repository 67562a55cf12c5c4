"""MON-4 timeliness facts from settlement's events.

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
        "invoice_facts",
        sa.Column("invoice_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("company_code", sa.String(18), nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("live", sa.Boolean, nullable=False, comment="false once reversed (红冲) or rejected"),
        sa.Column("overdue_on", sa.Date, nullable=True),
        sa.PrimaryKeyConstraint("invoice_id", name="pk_invoice_facts"),
    )
    op.create_index("ix_invoice_facts_hospital_code", "invoice_facts", ["hospital_code"])
    op.create_table(
        "payment_facts",
        sa.Column("payment_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("invoice_id", sa.BigInteger, nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("paid_on", sa.Date, nullable=False),
        sa.Column("reversed", sa.Boolean, server_default="false", nullable=False),
        sa.PrimaryKeyConstraint("payment_id", name="pk_payment_facts"),
    )
    op.create_index("ix_payment_facts_invoice_id", "payment_facts", ["invoice_id"])
    op.create_table(
        "late_tranches",
        sa.Column("plan_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("tranche", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("late_on", sa.Date, nullable=False),
        sa.Column("undisbursed_fen", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("plan_id", "tranche", name="pk_late_tranches"),
    )
    op.create_index("ix_late_tranches_hospital_code", "late_tranches", ["hospital_code"])
    op.create_table(
        "fund_payable_facts",
        sa.Column("payable_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("fund", sa.String(16), nullable=False),
        sa.Column("month", sa.Date, nullable=False),
        sa.Column("paid_on", sa.Date, nullable=False),
        sa.Column("net_fen", sa.BigInteger, nullable=False),
        sa.Column("live", sa.Boolean, nullable=False, comment="false once a corrected version superseded it"),
        sa.PrimaryKeyConstraint("payable_id", name="pk_fund_payable_facts"),
    )
    op.create_index("ix_fund_payable_facts_hospital_code", "fund_payable_facts", ["hospital_code"])


def downgrade() -> None:
    for table in ("fund_payable_facts", "late_tranches", "payment_facts", "invoice_facts"):
        op.drop_table(table)

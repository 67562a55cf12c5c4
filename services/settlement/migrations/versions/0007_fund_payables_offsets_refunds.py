"""SET-4 monthly fund payables with direct-settlement deductions (SET-5) and prepayment
offsets, refund demands and receipts; returns with their dates (seed 004's progressive offsets).

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accepted_line_returns",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.BigInteger, nullable=False),
        sa.Column("line_no", sa.Integer, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("returned_on", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accepted_line_returns"),
        sa.ForeignKeyConstraint(["delivery_id", "line_no"], ["accepted_lines.delivery_id", "accepted_lines.line_no"],
                                name="fk_accepted_line_returns_delivery_id_accepted_lines"),
        sa.CheckConstraint("quantity > 0", name="ck_accepted_line_returns_quantity_positive"),
    )
    op.create_index("ix_accepted_line_returns_line", "accepted_line_returns", ["delivery_id", "line_no"])
    op.create_table(
        "fund_payables",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("fund", sa.String(16), nullable=False, comment="employee (职工医保) | resident (居民医保)"),
        sa.Column("month", sa.Date, nullable=False, comment="the first day of the settlement month"),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, comment="live | superseded"),
        sa.Column("amount_fen", sa.BigInteger, nullable=False, comment="what the fund owes the hospital for the month"),
        sa.Column("net_fen", sa.BigInteger, nullable=False,
                  comment="amount − direct settlements − offsets: paid in cash"),
        sa.Column("paid_on", sa.Date, nullable=False, comment="the day the fund paid the hospital (及时拨付)"),
        sa.Column("transaction_id", sa.BigInteger, nullable=True),
        sa.Column("reversal_transaction_id", sa.BigInteger, nullable=True),
        sa.Column("superseded_by_id", sa.BigInteger, nullable=True,
                  comment="the version that corrected this one (written in the same transaction)"),
        sa.Column("explain", JSONB, nullable=False),
        sa.Column("posted_by", sa.String(100), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_fund_payables"),
        sa.ForeignKeyConstraint(["transaction_id"], ["ledger_transactions.id"],
                                name="fk_fund_payables_transaction_id_ledger_transactions"),
        sa.ForeignKeyConstraint(["reversal_transaction_id"], ["ledger_transactions.id"],
                                name="fk_fund_payables_reversal_transaction"),
        sa.ForeignKeyConstraint(["superseded_by_id"], ["fund_payables.id"], name="fk_fund_payables_superseded_by",
                                deferrable=True, initially="DEFERRED"),
        sa.UniqueConstraint("transaction_id", name="uq_fund_payables_transaction_id"),
        sa.UniqueConstraint("reversal_transaction_id", name="uq_fund_payables_reversal_transaction_id"),
        sa.UniqueConstraint("superseded_by_id", name="uq_fund_payables_superseded_by_id"),
        sa.UniqueConstraint("hospital_code", "fund", "month", "version",
                            name="uq_fund_payables_hospital_code_fund_month_version"),
        sa.CheckConstraint("amount_fen >= 0 AND net_fen >= 0 AND net_fen <= amount_fen",
                           name="ck_fund_payables_amounts_bounded"),
        sa.CheckConstraint("status IN ('live', 'superseded')", name="ck_fund_payables_status_known"),
        sa.CheckConstraint("fund IN ('employee', 'resident')", name="ck_fund_payables_fund_known"),
        sa.CheckConstraint("extract(day from month) = 1", name="ck_fund_payables_month_is_first_day"),
        sa.CheckConstraint("(status = 'live') = (superseded_by_id IS NULL)",
                           name="ck_fund_payables_superseded_has_successor"),
    )
    op.create_index("uq_fund_payables_live", "fund_payables", ["hospital_code", "fund", "month"], unique=True,
                    postgresql_where=sa.text("status = 'live'"))
    op.create_table(
        "prepayment_offsets",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("payable_id", sa.BigInteger, nullable=False),
        sa.Column("plan_id", sa.BigInteger, nullable=False),
        sa.Column("posting_id", sa.BigInteger, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_prepayment_offsets"),
        sa.ForeignKeyConstraint(["payable_id"], ["fund_payables.id"],
                                name="fk_prepayment_offsets_payable_id_fund_payables"),
        sa.ForeignKeyConstraint(["plan_id"], ["prepayment_plans.id"],
                                name="fk_prepayment_offsets_plan_id_prepayment_plans"),
        sa.ForeignKeyConstraint(["posting_id"], ["ledger_postings.id"],
                                name="fk_prepayment_offsets_posting_id_ledger_postings"),
        sa.UniqueConstraint("posting_id", name="uq_prepayment_offsets_posting_id"),
    )
    op.create_index("ix_prepayment_offsets_payable_id", "prepayment_offsets", ["payable_id"])
    op.create_index("ix_prepayment_offsets_plan_id", "prepayment_offsets", ["plan_id"])
    op.create_table(
        "direct_settlement_deductions",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("payable_id", sa.BigInteger, nullable=False),
        sa.Column("payment_id", sa.BigInteger, nullable=False),
        sa.Column("posting_id", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_direct_settlement_deductions"),
        sa.ForeignKeyConstraint(["payable_id"], ["fund_payables.id"],
                                name="fk_direct_settlement_deductions_payable_id_fund_payables"),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"],
                                name="fk_direct_settlement_deductions_payment_id_payments"),
        sa.ForeignKeyConstraint(["posting_id"], ["ledger_postings.id"],
                                name="fk_direct_settlement_deductions_posting_id_ledger_postings"),
        sa.UniqueConstraint("posting_id", name="uq_direct_settlement_deductions_posting_id"),
    )
    op.create_index("ix_direct_settlement_deductions_payable_id", "direct_settlement_deductions", ["payable_id"])
    op.create_index("ix_direct_settlement_deductions_payment_id", "direct_settlement_deductions", ["payment_id"])
    op.create_table(
        "refund_demands",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.BigInteger, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("fund", sa.String(16), nullable=False),
        sa.Column("demanded_on", sa.Date, nullable=False),
        sa.Column("posting_id", sa.BigInteger, nullable=False),
        sa.Column("explain", JSONB, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_refund_demands"),
        sa.ForeignKeyConstraint(["plan_id"], ["prepayment_plans.id"], name="fk_refund_demands_plan_id_prepayment_plans"),
        sa.ForeignKeyConstraint(["posting_id"], ["ledger_postings.id"],
                                name="fk_refund_demands_posting_id_ledger_postings"),
        sa.UniqueConstraint("plan_id", name="uq_refund_demands_plan_id"),
        sa.UniqueConstraint("posting_id", name="uq_refund_demands_posting_id"),
    )
    op.create_index("ix_refund_demands_hospital_code", "refund_demands", ["hospital_code"])
    op.create_table(
        "refund_receipts",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("demand_id", sa.BigInteger, nullable=False),
        sa.Column("transaction_id", sa.BigInteger, nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_refund_receipts"),
        sa.ForeignKeyConstraint(["demand_id"], ["refund_demands.id"], name="fk_refund_receipts_demand_id_refund_demands"),
        sa.ForeignKeyConstraint(["transaction_id"], ["ledger_transactions.id"],
                                name="fk_refund_receipts_transaction_id_ledger_transactions"),
        sa.UniqueConstraint("transaction_id", name="uq_refund_receipts_transaction_id"),
    )
    op.create_index("ix_refund_receipts_demand_id", "refund_receipts", ["demand_id"])


def downgrade() -> None:
    for table in ("refund_receipts", "refund_demands", "direct_settlement_deductions", "prepayment_offsets",
                  "fund_payables", "accepted_line_returns"):
        op.drop_table(table)

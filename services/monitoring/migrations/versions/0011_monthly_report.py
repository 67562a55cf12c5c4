"""MON-8 monthly report: each month's purchases of each item, prepayment plans, offsets per
plan, refunds and their receipts; the day each invoice was submitted.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


# What the consumer adds one event batch at a time, for the lines accepted before this
# revision; bench/monitoring_report.py aggregates its COPY-loaded lines with the same SQL.
BACKFILL_ACCEPTED = """
        INSERT INTO monthly_purchases (month, batch_code, hospital_code, product_id, manufacturer_code,
                                       accepted_quantity, accepted_fen)
        SELECT date_trunc('month', accepted_on)::date, batch_code, hospital_code, product_id, manufacturer_code,
               sum(quantity), sum(quantity * unit_price_fen)
        FROM accepted_lines GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"""
BACKFILL_RETURNED = """
        INSERT INTO monthly_purchases (month, batch_code, hospital_code, product_id, manufacturer_code,
                                       returned_quantity, returned_fen)
        SELECT date_trunc('month', r.returned_on)::date, a.batch_code, a.hospital_code, a.product_id,
               a.manufacturer_code, sum(r.quantity), sum(r.quantity * a.unit_price_fen)
        FROM line_returns r JOIN accepted_lines a USING (delivery_id, line_no) GROUP BY 1, 2, 3, 4, 5
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (month, batch_code, hospital_code, product_id, manufacturer_code) DO UPDATE
        SET returned_quantity = excluded.returned_quantity, returned_fen = excluded.returned_fen"""


def upgrade() -> None:
    op.create_table(
        "monthly_purchases",
        sa.Column("month", sa.Date, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("product_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("manufacturer_code", sa.String(18), nullable=False),
        sa.Column("accepted_quantity", sa.BigInteger, server_default="0", nullable=False),
        sa.Column("accepted_fen", sa.BigInteger, server_default="0", nullable=False),
        sa.Column("returned_quantity", sa.BigInteger, server_default="0", nullable=False),
        sa.Column("returned_fen", sa.BigInteger, server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("month", "batch_code", "hospital_code", "product_id", "manufacturer_code",
                                name="pk_monthly_purchases"),
    )
    op.create_table(
        "prepayment_plan_facts",
        sa.Column("plan_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("fund", sa.String(16), nullable=False),
        sa.Column("total_fen", sa.BigInteger, nullable=False),
        sa.Column("first_due_on", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("plan_id", name="pk_prepayment_plan_facts"),
    )
    op.create_index("ix_prepayment_plan_facts_hospital_code", "prepayment_plan_facts", ["hospital_code"])
    op.create_table(
        "offset_facts",
        sa.Column("payable_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("plan_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("month", sa.Date, nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("payable_id", "plan_id", name="pk_offset_facts"),
    )
    op.create_index("ix_offset_facts_hospital_code", "offset_facts", ["hospital_code"])
    op.create_table(
        "refund_facts",
        sa.Column("refund_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("plan_id", sa.BigInteger, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("demanded_fen", sa.BigInteger, nullable=False),
        sa.Column("demanded_on", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("refund_id", name="pk_refund_facts"),
    )
    op.create_index("ix_refund_facts_hospital_code", "refund_facts", ["hospital_code"])
    op.create_table(
        "refund_receipt_facts",
        sa.Column("receipt_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("refund_id", sa.BigInteger, nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("receipt_id", name="pk_refund_receipt_facts"),
    )
    op.create_index("ix_refund_receipt_facts_refund_id", "refund_receipt_facts", ["refund_id"])
    op.add_column("invoice_facts", sa.Column("submitted_on", sa.Date, nullable=True,
                                             comment="from settlement.invoice.submitted (MON-8)"))
    # the report's payments part picks a month's invoices and payments by these days
    for column in ("submitted_on", "due_on", "overdue_on"):
        op.create_index(f"ix_invoice_facts_{column}", "invoice_facts", [column])
    op.create_index("ix_payment_facts_paid_on", "payment_facts", ["paid_on"])
    # Lines accepted before this revision are summed into their months once, here, in key
    # order, so a month's rows lie together on disk (the report reads one month).
    op.execute(BACKFILL_ACCEPTED)
    op.execute(BACKFILL_RETURNED)


def downgrade() -> None:
    op.drop_index("ix_payment_facts_paid_on", "payment_facts")
    for column in ("submitted_on", "due_on", "overdue_on"):
        op.drop_index(f"ix_invoice_facts_{column}", "invoice_facts")
    op.drop_column("invoice_facts", "submitted_on")
    op.drop_table("refund_receipt_facts")
    op.drop_table("refund_facts")
    op.drop_table("offset_facts")
    op.drop_table("prepayment_plan_facts")
    op.drop_table("monthly_purchases")

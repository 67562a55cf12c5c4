"""SET-1 invoices on the accepted-delivery read model, SET-2 payments.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accepted_lines",
        sa.Column("delivery_id", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("line_no", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("order_id", sa.BigInteger, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("biller_code", sa.String(18), nullable=False, comment="the company that invoices it (SET-1)"),
        sa.Column("manufacturer_code", sa.String(18), nullable=False),
        sa.Column("distributor_code", sa.String(18), nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("product_id", sa.BigInteger, nullable=False),
        sa.Column("agreement_id", sa.BigInteger, nullable=False),
        sa.Column("unit_price_fen", sa.BigInteger, nullable=False),
        sa.Column("accepted_quantity", sa.Integer, nullable=False),
        sa.Column("returned_quantity", sa.Integer, nullable=False),
        sa.Column("accepted_on", sa.Date, nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("delivery_id", "line_no", name="pk_accepted_lines"),
        sa.CheckConstraint("accepted_quantity > 0", name="ck_accepted_lines_accepted_positive"),
        sa.CheckConstraint("returned_quantity BETWEEN 0 AND accepted_quantity",
                           name="ck_accepted_lines_returned_le_accepted"),
    )
    op.create_index("ix_accepted_lines_hospital_code", "accepted_lines", ["hospital_code"])
    op.create_index("ix_accepted_lines_biller_code", "accepted_lines", ["biller_code"])
    op.create_table(
        "invoices",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("number", sa.String(64), nullable=False, comment="the company's invoice number, unique per company"),
        sa.Column("company_code", sa.String(18), nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, comment="submitted | accepted | rejected | reversed"),
        sa.Column("submitted_on", sa.Date, nullable=False),
        sa.Column("submitted_by", sa.String(100), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("due_explain", JSONB, nullable=False),
        sa.Column("decided_on", sa.Date, nullable=True, comment="accepted or rejected on"),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("rejection_reason", sa.Text, nullable=True),
        sa.Column("reversed_on", sa.Date, nullable=True),
        sa.Column("reversed_by", sa.String(100), nullable=True),
        sa.Column("reversal_reason", sa.Text, nullable=True),
        sa.Column("overdue_on", sa.Date, nullable=True, comment="when the SET-2 check found it unpaid after due_on"),
        sa.PrimaryKeyConstraint("id", name="pk_invoices"),
        sa.UniqueConstraint("company_code", "number", name="uq_invoices_company_code_number"),
        sa.CheckConstraint("amount_fen > 0", name="ck_invoices_amount_positive"),
        sa.CheckConstraint("status IN ('submitted', 'accepted', 'rejected', 'reversed')",
                           name="ck_invoices_status_known"),
    )
    op.create_index("ix_invoices_company_code", "invoices", ["company_code"])
    op.create_index("ix_invoices_hospital_code", "invoices", ["hospital_code"])
    op.create_table(
        "invoice_lines",
        sa.Column("invoice_id", sa.BigInteger, nullable=False),
        sa.Column("position", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("delivery_id", sa.BigInteger, nullable=False),
        sa.Column("delivery_line_no", sa.Integer, nullable=False),
        sa.Column("product_id", sa.BigInteger, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("unit_price_fen", sa.BigInteger, nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("accepted_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("invoice_id", "position", name="pk_invoice_lines"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name="fk_invoice_lines_invoice_id_invoices"),
        sa.CheckConstraint("quantity > 0", name="ck_invoice_lines_quantity_positive"),
    )
    op.create_index("ix_invoice_lines_delivery_line", "invoice_lines", ["delivery_id", "delivery_line_no"])
    op.create_table(
        "payments",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("invoice_id", sa.BigInteger, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("paid_on", sa.Date, nullable=False),
        sa.Column("reference", sa.String(100), nullable=True, comment="the bank transfer's reference, optional"),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payments"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name="fk_payments_invoice_id_invoices"),
        sa.CheckConstraint("amount_fen > 0", name="ck_payments_amount_positive"),
    )
    op.create_index("ix_payments_invoice_id", "payments", ["invoice_id"])
    op.create_index("ix_payments_hospital_code", "payments", ["hospital_code"])


def downgrade() -> None:
    op.drop_table("payments")
    op.drop_table("invoice_lines")
    op.drop_table("invoices")
    op.drop_table("accepted_lines")

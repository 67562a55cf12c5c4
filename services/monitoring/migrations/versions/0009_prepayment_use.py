"""MON-10 prepayment use: disbursements and the batches each invoice bills.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "disbursement_facts",
        sa.Column("disbursement_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False, comment="negative for a reversal"),
        sa.Column("on", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("disbursement_id", name="pk_disbursement_facts"),
    )
    op.create_index("ix_disbursement_facts_hospital_code", "disbursement_facts", ["hospital_code"])
    op.create_table(
        "invoice_batch_amounts",
        sa.Column("invoice_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("invoice_id", "batch_code", name="pk_invoice_batch_amounts"),
    )


def downgrade() -> None:
    op.drop_table("invoice_batch_amounts")
    op.drop_table("disbursement_facts")

"""Payments in the SET-6 ledger: a payment's source (the hospital, SET-2, or the fund settling
directly, SET-5) and ledger transaction; payment reversals; the invoices and payments booked
before the ledger posted to it.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Invoices accepted and payments recorded before this revision moved no ledger money; without
# their postings a company's receivable would be short of them and paying such an invoice
# would overdraw it. They are posted now, as the movements table of the money contract says
# (accepted: hospital purchases → company receivable; paid: receivable → received), one
# transaction each, caused by this migration (cause_kind "check": no request or event caused
# it) and recorded by whoever decided or paid. A reversed invoice is left out: its acceptance
# and its reversal cancel out. Re-running skips what is already posted (the cause names the row).
_CAUSE = "migration 0006 "
_BACKFILL = ("""
INSERT INTO ledger_accounts (address, overdraft_allowed)
SELECT concat_ws(':', 'hospital', hospital_code, 'purchases'), true FROM invoices WHERE status = 'accepted'
UNION SELECT concat_ws(':', 'company', company_code, 'receivable'), false FROM invoices WHERE status = 'accepted'
UNION SELECT concat_ws(':', 'company', i.company_code, 'received'), false
  FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE i.status = 'accepted'
ON CONFLICT (address) DO NOTHING""", f"""
INSERT INTO ledger_transactions (cause_kind, cause_ref, description, recorded_by)
SELECT 'check', '{_CAUSE}invoice ' || i.id,
       'SET-1 invoice ' || i.number || ' accepted on ' || i.decided_on || ' (posted when invoices joined the ledger)',
       coalesce(i.decided_by, 'system:migration-0006')
  FROM invoices i
 WHERE i.status = 'accepted'
   AND NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.cause_ref = '{_CAUSE}invoice ' || i.id)
 ORDER BY i.id""", f"""
INSERT INTO ledger_postings (transaction_id, source, destination, amount_fen)
SELECT t.id, concat_ws(':', 'hospital', i.hospital_code, 'purchases'),
       concat_ws(':', 'company', i.company_code, 'receivable'), i.amount_fen
  FROM invoices i JOIN ledger_transactions t ON t.cause_ref = '{_CAUSE}invoice ' || i.id
 WHERE i.status = 'accepted' AND NOT EXISTS (SELECT 1 FROM ledger_postings p WHERE p.transaction_id = t.id)""", f"""
INSERT INTO ledger_transactions (cause_kind, cause_ref, description, recorded_by)
SELECT 'check', '{_CAUSE}payment ' || p.id,
       'SET-2 payment ' || p.id || ' of invoice ' || i.number || ' paid on ' || p.paid_on
       || ' (posted when payments joined the ledger)', p.recorded_by
  FROM payments p JOIN invoices i ON i.id = p.invoice_id
 WHERE i.status = 'accepted' AND p.transaction_id IS NULL
   AND NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.cause_ref = '{_CAUSE}payment ' || p.id)
 ORDER BY p.id""", f"""
INSERT INTO ledger_postings (transaction_id, source, destination, amount_fen)
SELECT t.id, concat_ws(':', 'company', i.company_code, 'receivable'),
       concat_ws(':', 'company', i.company_code, 'received'), p.amount_fen
  FROM payments p JOIN invoices i ON i.id = p.invoice_id
  JOIN ledger_transactions t ON t.cause_ref = '{_CAUSE}payment ' || p.id
 WHERE NOT EXISTS (SELECT 1 FROM ledger_postings q WHERE q.transaction_id = t.id)""", f"""
UPDATE payments SET transaction_id = t.id
  FROM ledger_transactions t
 WHERE payments.transaction_id IS NULL AND t.cause_ref = '{_CAUSE}payment ' || payments.id""")


def upgrade() -> None:
    op.add_column("payments", sa.Column("source", sa.String(16), server_default="hospital", nullable=False,
                                        comment="hospital (SET-2) | fund (SET-5 direct settlement)"))
    op.add_column("payments", sa.Column("fund", sa.String(16), nullable=True,
                                        comment="employee | resident: the fund that paid (SET-5)"))
    op.add_column("payments", sa.Column("transaction_id", sa.BigInteger, nullable=True))
    op.create_foreign_key("fk_payments_transaction_id_ledger_transactions", "payments", "ledger_transactions",
                          ["transaction_id"], ["id"])
    op.create_unique_constraint("uq_payments_transaction_id", "payments", ["transaction_id"])
    op.create_check_constraint("ck_payments_source_known", "payments", "source IN ('hospital', 'fund')")
    op.create_check_constraint(
        "ck_payments_fund_names_the_payer", "payments",
        "(source = 'fund' AND fund IN ('employee', 'resident')) OR (source = 'hospital' AND fund IS NULL)")
    op.create_table(
        "payment_reversals",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("payment_id", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("reversed_on", sa.Date, nullable=False),
        sa.Column("transaction_id", sa.BigInteger, nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payment_reversals"),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"], name="fk_payment_reversals_payment_id_payments"),
        sa.ForeignKeyConstraint(["transaction_id"], ["ledger_transactions.id"],
                                name="fk_payment_reversals_transaction_id_ledger_transactions"),
        sa.UniqueConstraint("payment_id", name="uq_payment_reversals_payment_id"),
        sa.UniqueConstraint("transaction_id", name="uq_payment_reversals_transaction_id"),
    )
    # One statement per execute: asyncpg runs no multi-statement strings.
    for statement in _BACKFILL:
        op.execute(statement)


def downgrade() -> None:
    # The ledger is append-only (0005): what the upgrade posted stays, and a later upgrade
    # finds it by its cause and does not post it twice.
    op.drop_table("payment_reversals")
    op.drop_constraint("ck_payments_fund_names_the_payer", "payments", type_="check")
    op.drop_constraint("ck_payments_source_known", "payments", type_="check")
    op.drop_constraint("uq_payments_transaction_id", "payments", type_="unique")
    op.drop_constraint("fk_payments_transaction_id_ledger_transactions", "payments", type_="foreignkey")
    for column in ("transaction_id", "fund", "source"):
        op.drop_column("payments", column)

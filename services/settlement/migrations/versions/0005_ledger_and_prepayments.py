"""SET-6 double-entry ledger with its invariants in the database; SET-3 prepayment plans;
the SET-5 direct-settlement regions SET-3 reads.

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

# SET-6, enforced where the service cannot be bypassed. Deferred to commit, so a transaction
# may insert its header before its postings, and a movement in several postings is judged
# whole. The account row is locked before summing: under READ COMMITTED the sum then sees
# every posting a concurrent movement from the same account committed before us.
_NO_OVERDRAFT = ("""
CREATE FUNCTION ledger_refuse_overdraft() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    allowed boolean;
    held bigint;
BEGIN
    SELECT overdraft_allowed INTO allowed FROM ledger_accounts WHERE address = NEW.source FOR UPDATE;
    IF allowed THEN
        RETURN NULL;
    END IF;
    SELECT coalesce(sum(CASE WHEN destination = NEW.source THEN amount_fen ELSE -amount_fen END), 0) INTO held
      FROM ledger_postings WHERE source = NEW.source OR destination = NEW.source;
    IF held < 0 THEN
        RAISE EXCEPTION 'SET-6: account % would be overdrawn (balance % fen)', NEW.source, held
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_no_overdraft';
    END IF;
    RETURN NULL;
END $$""", """
CREATE CONSTRAINT TRIGGER ledger_no_overdraft AFTER INSERT ON ledger_postings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_refuse_overdraft()""")

_HAS_POSTINGS = ("""
CREATE FUNCTION ledger_refuse_empty_transaction() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ledger_postings WHERE transaction_id = NEW.id) THEN
        RAISE EXCEPTION 'SET-6: ledger transaction % moves no money (no postings)', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_transaction_has_postings';
    END IF;
    RETURN NULL;
END $$""", """
CREATE CONSTRAINT TRIGGER ledger_transaction_has_postings AFTER INSERT ON ledger_transactions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_refuse_empty_transaction()""")

# A booked movement is history: a correction is a new transaction the other way (SET-6); and
# an account's overdraft flag, once opened, cannot be flipped to let a bounded account go negative.
_APPEND_ONLY = ("""
CREATE FUNCTION ledger_refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'SET-6: % is append-only; reverse with a new transaction', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END $$""", """
CREATE TRIGGER ledger_postings_append_only BEFORE UPDATE OR DELETE ON ledger_postings
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_rewrite()""", """
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_rewrite()""", """
CREATE TRIGGER ledger_accounts_append_only BEFORE UPDATE OR DELETE ON ledger_accounts
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_rewrite()""")


def upgrade() -> None:
    op.create_table(
        "ledger_accounts",
        sa.Column("address", sa.String(128), nullable=False),
        sa.Column("overdraft_allowed", sa.Boolean, nullable=False,
                  comment="only the outside world's sources (the funds) may go negative (SET-6)"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("address", name="pk_ledger_accounts"),
    )
    op.create_table(
        "ledger_transactions",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("cause_kind", sa.String(16), nullable=False, comment="request | event | check"),
        sa.Column("cause_ref", sa.String(128), nullable=False,
                  comment="the X-Request-ID, the event id or the check's run"),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_transactions"),
        sa.CheckConstraint("cause_kind IN ('request', 'event', 'check')", name="ck_ledger_transactions_cause_kind_known"),
        sa.CheckConstraint("length(cause_ref) > 0", name="ck_ledger_transactions_cause_ref_present"),
    )
    op.create_index("ix_ledger_transactions_cause_ref", "ledger_transactions", ["cause_ref"])
    op.create_table(
        "ledger_postings",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("transaction_id", sa.BigInteger, nullable=False),
        sa.Column("source", sa.String(128), nullable=False),
        sa.Column("destination", sa.String(128), nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_postings"),
        sa.ForeignKeyConstraint(["transaction_id"], ["ledger_transactions.id"],
                                name="fk_ledger_postings_transaction_id_ledger_transactions"),
        sa.ForeignKeyConstraint(["source"], ["ledger_accounts.address"],
                                name="fk_ledger_postings_source_ledger_accounts"),
        sa.ForeignKeyConstraint(["destination"], ["ledger_accounts.address"],
                                name="fk_ledger_postings_destination_ledger_accounts"),
        sa.CheckConstraint("amount_fen > 0", name="ck_ledger_postings_amount_positive"),
        sa.CheckConstraint("source <> destination", name="ck_ledger_postings_source_not_destination"),
    )
    op.create_index("ix_ledger_postings_transaction_id", "ledger_postings", ["transaction_id"])
    op.create_index("ix_ledger_postings_source", "ledger_postings", ["source"])
    op.create_index("ix_ledger_postings_destination", "ledger_postings", ["destination"])
    op.create_table(
        "prepayment_plans",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("prepaid_year", sa.Integer, nullable=False,
                  comment="the agreement year whose agreed amount is prepaid"),
        sa.Column("fund", sa.String(16), nullable=False, comment="employee (职工医保) | resident (居民医保)"),
        sa.Column("ratio", sa.Numeric(6, 4), nullable=False),
        sa.Column("base_fen", sa.BigInteger, nullable=False),
        sa.Column("computed_total_fen", sa.BigInteger, nullable=False),
        sa.Column("set_total_fen", sa.BigInteger, nullable=True),
        sa.Column("set_total_reason", sa.Text, nullable=True),
        sa.Column("set_total_by", sa.String(100), nullable=True),
        sa.Column("total_fen", sa.BigInteger, nullable=False),
        sa.Column("explain", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_prepayment_plans"),
        sa.UniqueConstraint("batch_code", "hospital_code", "prepaid_year",
                            name="uq_prepayment_plans_batch_code_hospital_code_prepaid_year"),
        sa.CheckConstraint("base_fen >= 0 AND computed_total_fen >= 0 AND total_fen >= 0",
                           name="ck_prepayment_plans_amounts_not_negative"),
        sa.CheckConstraint("set_total_fen IS NULL OR (set_total_fen >= 0 AND set_total_reason IS NOT NULL)",
                           name="ck_prepayment_plans_set_total_has_reason"),
    )
    op.create_index("ix_prepayment_plans_batch_code", "prepayment_plans", ["batch_code"])
    op.create_index("ix_prepayment_plans_hospital_code", "prepayment_plans", ["hospital_code"])
    op.create_table(
        "prepayment_agreements",
        sa.Column("plan_id", sa.BigInteger, nullable=False),
        sa.Column("manufacturer_code", sa.String(18), nullable=False),
        sa.Column("agreement_id", sa.BigInteger, nullable=False),
        sa.Column("version_no", sa.Integer, nullable=False),
        sa.Column("agreed_amount_fen", sa.BigInteger, nullable=False),
        sa.Column("items", JSONB, nullable=False, comment="[{product_id, agreed_quantity, unit_price_fen}]"),
        sa.PrimaryKeyConstraint("plan_id", "manufacturer_code", name="pk_prepayment_agreements"),
        sa.ForeignKeyConstraint(["plan_id"], ["prepayment_plans.id"],
                                name="fk_prepayment_agreements_plan_id_prepayment_plans"),
        sa.CheckConstraint("agreed_amount_fen >= 0", name="ck_prepayment_agreements_agreed_amount_not_negative"),
    )
    op.create_table(
        "prepayment_tranches",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.BigInteger, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, comment="scheduled | top_up"),
        sa.Column("share", sa.Numeric(6, 4), nullable=True, comment="the policy's share; none for a top-up"),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("late_on", sa.Date, nullable=True,
                  comment="when the SET-3 check found it undisbursed after due_on"),
        sa.Column("explain", JSONB, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_prepayment_tranches"),
        sa.ForeignKeyConstraint(["plan_id"], ["prepayment_plans.id"],
                                name="fk_prepayment_tranches_plan_id_prepayment_plans"),
        sa.UniqueConstraint("plan_id", "number", name="uq_prepayment_tranches_plan_id_number"),
        sa.CheckConstraint("amount_fen >= 0", name="ck_prepayment_tranches_amount_not_negative"),
        sa.CheckConstraint("kind IN ('scheduled', 'top_up')", name="ck_prepayment_tranches_kind_known"),
    )
    op.create_index("ix_prepayment_tranches_plan_id", "prepayment_tranches", ["plan_id"])
    op.create_table(
        "prepayment_disbursements",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("tranche_id", sa.BigInteger, nullable=False),
        sa.Column("transaction_id", sa.BigInteger, nullable=False),
        sa.Column("reverses_id", sa.BigInteger, nullable=True),
        sa.Column("reason", sa.Text, nullable=True, comment="why a reversal was made"),
        sa.Column("disbursed_on", sa.Date, nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_prepayment_disbursements"),
        sa.ForeignKeyConstraint(["tranche_id"], ["prepayment_tranches.id"],
                                name="fk_prepayment_disbursements_tranche_id_prepayment_tranches"),
        sa.ForeignKeyConstraint(["transaction_id"], ["ledger_transactions.id"],
                                name="fk_prepayment_disbursements_transaction_id_ledger_transactions"),
        sa.ForeignKeyConstraint(["reverses_id"], ["prepayment_disbursements.id"],
                                name="fk_prepayment_disbursements_reverses"),
        sa.UniqueConstraint("transaction_id", name="uq_prepayment_disbursements_transaction_id"),
        sa.UniqueConstraint("reverses_id", name="uq_prepayment_disbursements_reverses_id"),
    )
    op.create_index("ix_prepayment_disbursements_tranche_id", "prepayment_disbursements", ["tranche_id"])
    op.create_table(
        "direct_settlement_regions",
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("since_on", sa.Date, nullable=False),
        sa.Column("set_by", sa.String(100), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("region_code", name="pk_direct_settlement_regions"),
    )
    # One statement per execute: asyncpg runs no multi-statement strings.
    for statement in (*_NO_OVERDRAFT, *_HAS_POSTINGS, *_APPEND_ONLY):
        op.execute(statement)


def downgrade() -> None:
    for table in ("direct_settlement_regions", "prepayment_disbursements", "prepayment_tranches", "prepayment_agreements", "prepayment_plans"):
        op.drop_table(table)
    op.drop_table("ledger_postings")
    op.drop_table("ledger_transactions")
    op.drop_table("ledger_accounts")
    for function in ("ledger_refuse_rewrite", "ledger_refuse_empty_transaction", "ledger_refuse_overdraft"):
        op.execute(f"DROP FUNCTION {function}()")

"""SET-3 医保预付金: a hospital's prepayment plan per (batch, prepaid agreement year).

What a tranche has received is not stored here: each disbursement points at its ledger
transaction and the amount is read from the ledger's postings (SET-6, never kept twice).
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Integer, Numeric, String, Text,
                        UniqueConstraint, func)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from vbp_settlement.models import Base
from vbpkit.runtime.clock import recorded_now


class PrepaymentPlan(Base):
    """医保预付金计划: what the fund prepays a hospital for a batch's prepaid agreement year.

    ``total_fen`` is the total in force: base × ratio (``computed_total_fen``), unless the
    insurer set it from the monitoring centre's figure (seeds 000/002: 市医保监测中心测算医保
    预付金), in which case ``set_total_fen`` and its reason are kept beside the computed one."""

    __tablename__ = "prepayment_plans"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    batch_code: Mapped[str] = mapped_column(String(64), index=True)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    prepaid_year: Mapped[int] = mapped_column(Integer, comment="the agreement year whose agreed amount is prepaid")
    fund: Mapped[str] = mapped_column(String(16), comment="employee (职工医保) | resident (居民医保)")
    ratio: Mapped[Decimal] = mapped_column(Numeric(6, 4))
    base_fen: Mapped[int] = mapped_column(BigInteger)
    computed_total_fen: Mapped[int] = mapped_column(BigInteger)
    set_total_fen: Mapped[int | None] = mapped_column(BigInteger)
    set_total_reason: Mapped[str | None] = mapped_column(Text)
    set_total_by: Mapped[str | None] = mapped_column(String(100))
    total_fen: Mapped[int] = mapped_column(BigInteger)
    explain: Mapped[dict] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        UniqueConstraint("batch_code", "hospital_code", "prepaid_year"),
        CheckConstraint("base_fen >= 0 AND computed_total_fen >= 0 AND total_fen >= 0", name="amounts_not_negative"),
        CheckConstraint("set_total_fen IS NULL OR (set_total_fen >= 0 AND set_total_reason IS NOT NULL)",
                        name="set_total_has_reason"),
    )


class PlannedAgreement(Base):
    """The agreement version a plan counts for one manufacturer: the latest effective one
    (a new version supersedes the earlier, CON-2)."""

    __tablename__ = "prepayment_agreements"

    plan_id: Mapped[int] = mapped_column(ForeignKey("prepayment_plans.id"), primary_key=True)
    manufacturer_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    agreement_id: Mapped[int] = mapped_column(BigInteger)
    version_no: Mapped[int] = mapped_column(Integer)
    agreed_amount_fen: Mapped[int] = mapped_column(BigInteger)
    items: Mapped[list[dict]] = mapped_column(JSONB, comment="[{product_id, agreed_quantity, unit_price_fen}]")

    __table_args__ = (CheckConstraint("agreed_amount_fen >= 0", name="agreed_amount_not_negative"),)


class PrepaymentTranche(Base):
    """One instalment of a plan: a policy tranche, or a top-up added when a plan grew after
    every tranche was disbursed (SET-3)."""

    __tablename__ = "prepayment_tranches"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("prepayment_plans.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16), comment="scheduled | top_up")
    share: Mapped[Decimal | None] = mapped_column(Numeric(6, 4), comment="the policy's share; none for a top-up")
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    due_on: Mapped[date] = mapped_column(Date)
    late_on: Mapped[date | None] = mapped_column(Date, comment="when the SET-3 check found it undisbursed after due_on")
    explain: Mapped[dict] = mapped_column(JSONB)

    __table_args__ = (
        UniqueConstraint("plan_id", "number"),
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
        CheckConstraint("kind IN ('scheduled', 'top_up')", name="kind_known"),
    )


class Disbursement(Base):
    """拨付: the insurer paid (part of) a tranche; the amount is its ledger transaction's.

    A reversal (a disbursement recorded in error) is a row of its own pointing at the one it
    reverses, with a ledger movement the other way (SET-6: history is never rewritten); a
    disbursement is reversed at most once (unique ``reverses_id``)."""

    __tablename__ = "prepayment_disbursements"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    tranche_id: Mapped[int] = mapped_column(ForeignKey("prepayment_tranches.id"), index=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), unique=True)
    reverses_id: Mapped[int | None] = mapped_column(
        ForeignKey("prepayment_disbursements.id", name="fk_prepayment_disbursements_reverses"), unique=True)
    reason: Mapped[str | None] = mapped_column(Text, comment="why a reversal was made")
    disbursed_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now, server_default=func.now())

"""SET-4 monthly fund payables (医保基金月度应付) and what is taken from them.

The insurance core system posts, per hospital, fund and month, what the fund owes the
hospital for its patients' medical costs. From the month the policy says, the outstanding
prepayment is deducted from it (抵扣), and direct settlements the fund paid companies on the
hospital's behalf (SET-5) before that; the net is what the fund pays the hospital.

A posted month is never rewritten: a corrected row makes a new version, and the earlier one
is superseded, its ledger transaction reversed by one going the other way (SET-6). Amounts
of offsets and deductions are read from their ledger postings, never kept twice.
"""

from datetime import date, datetime

from sqlalchemy import (BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String,
                        UniqueConstraint, func)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from vbp_settlement.models import Base
from vbpkit.runtime.clock import recorded_now


class FundPayable(Base):
    """One version of a hospital's monthly payable from one fund; ``live`` until corrected."""

    __tablename__ = "fund_payables"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    hospital_code: Mapped[str] = mapped_column(String(64))
    fund: Mapped[str] = mapped_column(String(16), comment="employee (职工医保) | resident (居民医保)")
    month: Mapped[date] = mapped_column(Date, comment="the first day of the settlement month")
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), comment="live | superseded")
    amount_fen: Mapped[int] = mapped_column(BigInteger, comment="what the fund owes the hospital for the month")
    net_fen: Mapped[int] = mapped_column(BigInteger, comment="amount − direct settlements − offsets: paid in cash")
    paid_on: Mapped[date] = mapped_column(Date, comment="the day the fund paid the hospital (及时拨付)")
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"), unique=True)
    reversal_transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id", name="fk_fund_payables_reversal_transaction"), unique=True)
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("fund_payables.id", name="fk_fund_payables_superseded_by", deferrable=True, initially="DEFERRED"),
        unique=True, comment="the version that corrected this one (written in the same transaction)")
    explain: Mapped[dict] = mapped_column(JSONB)
    posted_by: Mapped[str] = mapped_column(String(100))
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now, server_default=func.now())

    __table_args__ = (
        UniqueConstraint("hospital_code", "fund", "month", "version"),
        CheckConstraint("amount_fen >= 0 AND net_fen >= 0 AND net_fen <= amount_fen", name="amounts_bounded"),
        CheckConstraint("status IN ('live', 'superseded')", name="status_known"),
        CheckConstraint("fund IN ('employee', 'resident')", name="fund_known"),
        CheckConstraint("extract(day from month) = 1", name="month_is_first_day"),
        CheckConstraint("(status = 'live') = (superseded_by_id IS NULL)", name="superseded_has_successor"),
    )


# One live version per hospital, fund and month; superseded versions stay beside it.
Index("uq_fund_payables_live", FundPayable.hospital_code, FundPayable.fund, FundPayable.month, unique=True,
      postgresql_where=FundPayable.status == "live")


class PrepaymentOffset(Base):
    """抵扣: part of a plan's outstanding prepayment taken from a payable. Its amount is its
    ledger posting's (``hospital:<H>:prepayment`` → ``fund:<F>``); it counts while its payable is
    live. Its explain is the payable's (``explain.offsets``, by plan)."""

    __tablename__ = "prepayment_offsets"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    payable_id: Mapped[int] = mapped_column(ForeignKey("fund_payables.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("prepayment_plans.id"), index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("ledger_postings.id"), unique=True)
    batch_code: Mapped[str] = mapped_column(String(64))


class DirectSettlementDeduction(Base):
    """SET-5: part of a direct settlement (a payment the fund made to a company for the
    hospital) taken back from the hospital's payable; its amount is its ledger posting's
    (``hospital:<H>:direct_settled`` → ``fund:<F>``); it counts while its payable is live."""

    __tablename__ = "direct_settlement_deductions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    payable_id: Mapped[int] = mapped_column(ForeignKey("fund_payables.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("ledger_postings.id"), unique=True)


__all__ = ["DirectSettlementDeduction", "FundPayable", "PrepaymentOffset"]

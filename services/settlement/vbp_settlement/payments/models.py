from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from vbp_settlement.models import Base
from vbpkit.runtime.clock import recorded_now

SOURCES = ("hospital", "fund")


class Payment(Base):
    """回款: money paid to a company against one invoice — by the hospital (SET-2) or, where
    the hospital settles directly, by the insurance fund on its behalf (SET-5, ``source``
    "fund", with the ``fund`` that paid). What an invoice has been paid is Σ its payments −
    Σ their reversals, never a counter kept beside them; each payment points at the ledger
    transaction that moved the money (SET-6; the rows booked before the ledger were posted and
    linked by migration 0006, the column stays nullable for them as the money contract says)."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(100), comment="the bank transfer's reference, optional")
    source: Mapped[str] = mapped_column(String(16), server_default="hospital",
                                        comment="hospital (SET-2) | fund (SET-5 direct settlement)")
    fund: Mapped[str | None] = mapped_column(String(16), comment="employee | resident: the fund that paid (SET-5)")
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"), unique=True)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now, server_default=func.now())

    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("source IN ('hospital', 'fund')", name="source_known"),
        CheckConstraint("(source = 'fund' AND fund IN ('employee', 'resident')) "
                        "OR (source = 'hospital' AND fund IS NULL)", name="fund_names_the_payer"),
    )


class PaymentReversal(Base):
    """A hospital's payment recorded in error, taken back (SET-2): the invoice owes its amount
    again and the ledger moves it back from the company's received to its receivable (SET-6:
    history is never rewritten, the payment row stays). At most once per payment."""

    __tablename__ = "payment_reversals"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    reversed_on: Mapped[date] = mapped_column(Date)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), unique=True)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now, server_default=func.now())

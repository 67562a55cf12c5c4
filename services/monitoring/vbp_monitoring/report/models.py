"""What the monthly report (MON-8) reads beyond the facts other rules keep: each month's
purchases of each item, kept as contracts' events arrive (so the report's cost follows the
items, not the delivery lines), and settlement's prepayment plans, offsets and refunds."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from vbp_monitoring.models import Base


class MonthlyPurchase(Base):
    """One month's purchases of one item: accepted (by the day accepted) and returned (by the
    day returned), quantities and amounts at the price paid."""

    __tablename__ = "monthly_purchases"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    batch_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    hospital_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    product_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    manufacturer_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    accepted_quantity: Mapped[int] = mapped_column(BigInteger, server_default="0")
    accepted_fen: Mapped[int] = mapped_column(BigInteger, server_default="0")
    returned_quantity: Mapped[int] = mapped_column(BigInteger, server_default="0")
    returned_fen: Mapped[int] = mapped_column(BigInteger, server_default="0")


class PrepaymentPlanFact(Base):
    """A prepayment plan's total as settlement last announced it (SET-3)."""

    __tablename__ = "prepayment_plan_facts"

    plan_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    batch_code: Mapped[str] = mapped_column(String(64))
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    fund: Mapped[str] = mapped_column(String(16))
    total_fen: Mapped[int] = mapped_column(BigInteger)
    first_due_on: Mapped[date] = mapped_column(Date)
    as_of: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), comment="occurred_at of the settlement.prepayment.planned event this row reflects")


class OffsetFact(Base):
    """What one version of a monthly fund payable offset against one plan (SET-4); it stops
    counting when a correction supersedes the payable (``fund_payable_facts.live``)."""

    __tablename__ = "offset_facts"

    payable_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    plan_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    batch_code: Mapped[str] = mapped_column(String(64))
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    month: Mapped[date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)


class RefundFact(Base):
    """A refund demanded of a plan's outstanding prepayment, and each receipt of it (SET-4)."""

    __tablename__ = "refund_facts"

    refund_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    plan_id: Mapped[int] = mapped_column(BigInteger)
    batch_code: Mapped[str] = mapped_column(String(64))
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    demanded_fen: Mapped[int] = mapped_column(BigInteger)
    demanded_on: Mapped[date] = mapped_column(Date)


class RefundReceiptFact(Base):
    __tablename__ = "refund_receipt_facts"

    receipt_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    refund_id: Mapped[int] = mapped_column(BigInteger, index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    received_on: Mapped[date] = mapped_column(Date)

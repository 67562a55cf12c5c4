from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from vbp_settlement.models import Base
from vbpkit.runtime.clock import recorded_now

# SET-1: a submitted or accepted invoice counts (bills its lines, is owed); a rejected or
# reversed (红冲) one does not, and its lines may be billed again.
LIVE_STATUSES = ("submitted", "accepted")


class Invoice(Base):
    """发票: a company's bill to a hospital for accepted delivery lines (SET-1), paid by the
    hospital's payments (回款, SET-2). Due on the earliest due date of its lines."""

    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(64), comment="the company's invoice number, unique per company")
    company_code: Mapped[str] = mapped_column(String(18), index=True)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), comment="submitted | accepted | rejected | reversed")
    submitted_on: Mapped[date] = mapped_column(Date)
    submitted_by: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now, server_default=func.now())
    due_on: Mapped[date] = mapped_column(Date)
    due_explain: Mapped[dict[str, Any]] = mapped_column(JSONB)
    decided_on: Mapped[date | None] = mapped_column(Date, comment="accepted or rejected on")
    decided_by: Mapped[str | None] = mapped_column(String(100))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    reversed_on: Mapped[date | None] = mapped_column(Date)
    reversed_by: Mapped[str | None] = mapped_column(String(100))
    reversal_reason: Mapped[str | None] = mapped_column(Text)
    overdue_on: Mapped[date | None] = mapped_column(Date, comment="when the SET-2 check found it unpaid after due_on")

    __table_args__ = (
        UniqueConstraint("company_code", "number"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("status IN ('submitted', 'accepted', 'rejected', 'reversed')", name="status_known"),
    )


class InvoiceLine(Base):
    """One accepted delivery line billed, with its own SET-1 due date."""

    __tablename__ = "invoice_lines"

    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    delivery_id: Mapped[int] = mapped_column(BigInteger)
    delivery_line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(BigInteger)
    batch_code: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_fen: Mapped[int] = mapped_column(BigInteger)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    accepted_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_invoice_lines_delivery_line", "delivery_id", "delivery_line_no"),
    )

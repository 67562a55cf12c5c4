from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from vbp_settlement.models import Base


class Payment(Base):
    """回款: what a hospital paid against one invoice (SET-2). An invoice's paid amount is the
    sum of its payments, never a counter kept beside them."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16), server_default="hospital",
                                        comment="hospital | fund (SET-5: the fund paid the company directly)")
    fund: Mapped[str | None] = mapped_column(String(16), comment="the fund that paid, for source fund")
    reference: Mapped[str | None] = mapped_column(String(100), comment="the bank transfer's reference, optional")
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),)

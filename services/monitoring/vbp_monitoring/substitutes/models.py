"""MON-5 purchases of non-winning products (非中选产品), pushed monthly by the exchange, which
sees every purchase made on its platform."""

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from vbp_monitoring.models import Base


class NonWinningPurchase(Base):
    __tablename__ = "non_winning_purchases"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    hospital_code: Mapped[str] = mapped_column(String(64))
    batch_code: Mapped[str] = mapped_column(String(64))
    group_code: Mapped[str] = mapped_column(String(64))
    product: Mapped[str] = mapped_column(String(200), comment="the non-winning product as the exchange names it")
    month: Mapped[date] = mapped_column(Date, comment="the first day of the month")
    quantity: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    pushed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        UniqueConstraint("hospital_code", "batch_code", "group_code", "product", "month", name="uq_non_winning_once"),
        CheckConstraint("quantity >= 0 AND amount_fen >= 0", name="not_negative"),
    )

"""MON-9 baseline prices (结余留用 basis, seed 004): what hospitals paid for a product before
the procurement, pushed by the exchange."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from vbp_monitoring.models import Base


class BaselinePrice(Base):
    __tablename__ = "baseline_prices"

    product_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    baseline_price_fen: Mapped[int] = mapped_column(BigInteger, comment="the pre-procurement purchase price")
    set_by: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (CheckConstraint("baseline_price_fen >= 0", name="baseline_not_negative"),)

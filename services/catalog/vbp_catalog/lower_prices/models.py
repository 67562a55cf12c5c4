from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from vbp_catalog.models import Base
from vbpkit.runtime.clock import recorded_now


class LowerPrice(Base):
    """就低: a lower provincial winning or listing price of the same product elsewhere (CAT-6)."""

    __tablename__ = "lower_prices"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    price_fen: Mapped[int] = mapped_column(BigInteger)
    effective_on: Mapped[date] = mapped_column(Date)
    region: Mapped[str] = mapped_column(String(100), comment="where the lower price applies")
    source: Mapped[str] = mapped_column(Text, comment="the document or platform it comes from")
    deadline_on: Mapped[date] = mapped_column(Date)
    explain: Mapped[dict] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(16), comment="open | met | lapsed")
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now, server_default=func.now())
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (CheckConstraint("status IN ('open', 'met', 'lapsed')", name="status"),)


class PriceReduction(Base):
    """A company's application to lower its winning price (CAT-6), effective from a date."""

    __tablename__ = "price_reductions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    winning_price_fen: Mapped[int] = mapped_column(BigInteger)
    effective_on: Mapped[date] = mapped_column(Date)
    applied: Mapped[bool] = mapped_column(comment="false while its effective date is still ahead")
    reason: Mapped[str] = mapped_column(Text)
    applied_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from vbp_catalog.models import Base
from vbpkit.runtime.clock import recorded_now


class NationalLowestPrice(Base):
    """全国最低价 (CAT-7, CAT-12, seed 003): the national lowest price of the provincial platforms
    (not self-reported or filing prices) for a batch's category, one group of it, or one
    product, from a day. It caps non-winning listings from that day, and the listings above it
    are lowered to it or suspended (同步调整) when it takes effect."""

    __tablename__ = "national_lowest_prices"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    batch_code: Mapped[str] = mapped_column(ForeignKey("batches.code"))
    group_code: Mapped[str | None] = mapped_column(String(64), comment="one group (组别); NULL: the whole category")
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), comment="one product; NULL: the scope")
    price_fen: Mapped[int] = mapped_column(BigInteger)
    effective_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text, comment="where the figure comes from")
    status: Mapped[str] = mapped_column(String(16), comment="pending until its day, then applied")
    outcome: Mapped[dict | None] = mapped_column(JSONB, comment="the listings lowered or suspended")
    applied_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now, server_default=func.now())

    __table_args__ = (
        CheckConstraint("price_fen > 0", name="price_positive"),
        CheckConstraint("status IN ('pending', 'applied')", name="status_known"),
        CheckConstraint("group_code IS NULL OR product_id IS NULL", name="one_scope"),
        Index("ix_national_lowest_prices_batch", "batch_code", "effective_on", "id"),
        Index("ix_national_lowest_prices_pending", "effective_on", postgresql_where="status = 'pending'"),
    )

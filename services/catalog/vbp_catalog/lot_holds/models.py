"""CAT-14 质量问题处置 (seeds 000/004): lots of a product the insurer holds for quality."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column
from vbpkit.runtime.clock import recorded_now

from vbp_catalog.models import Base


class LotHold(Base):
    """Lot ``lot`` of ``product_id`` on hold while ``status`` is held: not accepted anywhere."""

    __tablename__ = "lot_holds"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    lot: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), server_default="held")
    held_by: Mapped[str] = mapped_column(String(100))
    held_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now, server_default=func.now())
    released_by: Mapped[str | None] = mapped_column(String(100))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    release_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("status IN ('held', 'released')", name="status_known"),
        Index("uq_lot_holds_held", "product_id", "lot", unique=True, postgresql_where="status = 'held'"),
    )

"""CAT-13 备选/替补供应 (seeds 003/004): a backup the insurer designates for a failing winning
product in a region."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column
from vbpkit.runtime.clock import recorded_now

from vbp_catalog.models import Base


class Backup(Base):
    """``backup_product_id`` supplies in ``region_code`` (and the regions under it) for
    ``failing_product_id`` while the designation is active; its price is its own, checked
    against ``price_cap_fen`` when designated."""

    __tablename__ = "backups"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    batch_code: Mapped[str] = mapped_column(ForeignKey("batches.code"))
    failing_product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    backup_product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6))
    price_fen: Mapped[int] = mapped_column(BigInteger, comment="the backup's price when designated (with service)")
    price_cap_fen: Mapped[int | None] = mapped_column(BigInteger, comment="a non-winning backup's cap; NULL for a winner")
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), server_default="active")
    designated_by: Mapped[str] = mapped_column(String(100))
    designated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now,
                                                    server_default=func.now())
    withdrawn_by: Mapped[str | None] = mapped_column(String(100))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("status IN ('active', 'withdrawn')", name="status_known"),
        CheckConstraint("failing_product_id <> backup_product_id", name="not_itself"),
        Index("uq_backups_active", "failing_product_id", "backup_product_id", "region_code", unique=True,
              postgresql_where="status = 'active'"),
    )

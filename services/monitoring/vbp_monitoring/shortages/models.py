"""MON-12 shortages (seed 004: 短缺…逐级上报; seed 003: 应急保障): what hospitals and county insurers
report short, who handles it as it is escalated, and how it was resolved."""

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from vbpkit.runtime.clock import recorded_now

from vbp_monitoring.models import Base

ACTIONS = ("backup", "transfer", "restored", "other")


class Shortage(Base):
    __tablename__ = "shortages"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    product_id: Mapped[int] = mapped_column(BigInteger, index=True)
    batch_code: Mapped[str] = mapped_column(String(64))
    company_code: Mapped[str] = mapped_column(String(18), index=True, comment="the product's manufacturer")
    region_code: Mapped[str] = mapped_column(String(6), comment="where the product is short")
    hospital_code: Mapped[str | None] = mapped_column(String(64), index=True, comment="the hospital that reported it")
    handling_region_code: Mapped[str] = mapped_column(String(6), comment="whose insurer handles it now")
    since: Mapped[date] = mapped_column(Date)
    quantity_short: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), server_default="open", comment="open | resolved")
    escalations: Mapped[list[dict]] = mapped_column(JSONB, server_default="[]",
                                                     comment="[{from, to, by, on, note}] in order")
    reported_by: Mapped[str] = mapped_column(String(100))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now,
                                                  server_default=func.now())
    action: Mapped[str | None] = mapped_column(String(16), comment=" | ".join(ACTIONS))
    resolution: Mapped[str | None] = mapped_column(Text, comment="what was done")
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolved_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint("status IN ('open', 'resolved')", name="status_known"),
        CheckConstraint(f"action IS NULL OR action IN {ACTIONS}", name="action_known"),
        CheckConstraint("quantity_short > 0", name="quantity_positive"),
    )

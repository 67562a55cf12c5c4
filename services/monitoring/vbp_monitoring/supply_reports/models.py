"""MON-13 supply problem reports (seeds 000/004 及时报告): what a hospital says went wrong with a
supply, the company's answer, and the insurer's decision."""

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column
from vbpkit.runtime.clock import recorded_now

from vbp_monitoring.models import Base

KINDS = ("not_delivered", "late", "accompanying_service_missing", "quality")
# the MON-6 breach a confirmed report becomes
BREACH_KIND = {"not_delivered": "failed_supply", "late": "late_supply",
               "accompanying_service_missing": "accompanying_service", "quality": "quality"}


class SupplyReport(Base):
    __tablename__ = "supply_reports"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    region_code: Mapped[str | None] = mapped_column(String(6), comment="the hospital's, when reported")
    company_code: Mapped[str] = mapped_column(String(18), index=True, comment="the company the report names")
    batch_code: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[int] = mapped_column(BigInteger)
    line_no: Mapped[int | None] = mapped_column(Integer, comment="NULL: the whole order")
    kind: Mapped[str] = mapped_column(String(32), comment=" | ".join(KINDS))
    occurred_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), server_default="open", comment="open | confirmed | dismissed")
    reported_by: Mapped[str] = mapped_column(String(100))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now,
                                                  server_default=func.now())
    answer: Mapped[str | None] = mapped_column(Text, comment="the company's answer")
    answered_by: Mapped[str | None] = mapped_column(String(100))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    breach_id: Mapped[int | None] = mapped_column(BigInteger, comment="the MON-6 breach it was confirmed into")

    __table_args__ = (
        CheckConstraint("status IN ('open', 'confirmed', 'dismissed')", name="status_known"),
        CheckConstraint(f"kind IN {KINDS}", name="kind_known"),
        Index("ix_supply_reports_order", "order_id", "line_no"),
    )

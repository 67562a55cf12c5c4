"""MON-6 信用评价: a company's breaches, detected from supply or recorded by the insurer, and
the rating they give it."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, DateTime, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from vbp_monitoring.models import Base
from vbpkit.runtime.clock import recorded_now

DETECTED = ("late_supply", "failed_supply")
RECORDED = ("late_supply", "failed_supply", "price", "accompanying_service", "quality", "illegal_conduct")


class Breach(Base):
    """A breach (违约/失信行为). A detected one names its order line; an exempted one (不可抗力)
    stays on record but no longer counts towards the rating."""

    __tablename__ = "breaches"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    company_code: Mapped[str] = mapped_column(String(18), index=True)
    batch_code: Mapped[str] = mapped_column(String(64), server_default="")
    kind: Mapped[str] = mapped_column(String(32), comment="late_supply | failed_supply | price | "
                                      "accompanying_service | quality | illegal_conduct")
    severity: Mapped[str] = mapped_column(String(8), comment="一般 | 中等 | 严重 | 特别严重")
    occurred_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16), comment="detected | recorded")
    hospital_code: Mapped[str | None] = mapped_column(String(64))
    distributor_code: Mapped[str | None] = mapped_column(String(18))
    order_id: Mapped[int | None] = mapped_column(BigInteger)
    line_no: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now, server_default=func.now())
    exempt: Mapped[bool] = mapped_column(Boolean, server_default="false", comment="force majeure (不可抗力)")
    exemption_reason: Mapped[str | None] = mapped_column(Text)
    exempted_by: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        UniqueConstraint("kind", "order_id", "line_no", name="uq_breaches_line"),
        CheckConstraint("severity IN ('一般', '中等', '严重', '特别严重')", name="severity_known"),
        CheckConstraint("source IN ('detected', 'recorded')", name="source_known"),
    )


class CompanyRating(Base):
    """The rating last announced for a company (``monitoring.rating.changed``)."""

    __tablename__ = "company_ratings"

    company_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    rating: Mapped[str | None] = mapped_column(String(8), comment="the most severe breach counted; NULL for none")
    since: Mapped[date] = mapped_column(Date)


class BreachCost(Base):
    """A cost a hospital proved against a breach (seeds 003/004: the failing company 承担由此产生的
    所有费用). Recorded and reported against the company, never deducted: the seeds say who bears
    it, not how it is collected."""

    __tablename__ = "breach_costs"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    breach_id: Mapped[int] = mapped_column(BigInteger, index=True)
    company_code: Mapped[str] = mapped_column(String(18), index=True, comment="the breach's company")
    hospital_code: Mapped[str] = mapped_column(String(64))
    region_code: Mapped[str | None] = mapped_column(String(6), comment="the hospital's")
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    what_for: Mapped[str] = mapped_column(Text)
    evidence_ref: Mapped[str] = mapped_column(String(200), comment="where the proof is (a document number)")
    incurred_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now,
                                                  server_default=func.now())

    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),)

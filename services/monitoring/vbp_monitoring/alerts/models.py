"""Alerts the bureau watches (MON-2, MON-3, …): raised once per condition and period, then
acknowledged with a note, or resolved when the condition no longer holds."""

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from vbp_monitoring.models import Base

KINDS = ("behind", "stockpiling", "onboarding", "overdue_invoices", "late_tranche", "late_fund_payment",
         "substitutes", "prepayment_use", "pre_listing", "off_platform", "his_price", "charge_mismatch",
         "his_upload_missing", "supply_failure", "lot_hold", "no_stocking",
         "distributor_uncovered", "non_winning_cutoff", "coverage", "unsigned",
         "account_not_opened")
STATUSES = ("open", "acknowledged", "resolved")


class Alert(Base):
    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), comment="stockpiling (MON-2) | onboarding (MON-3) | substitutes (MON-5)")
    rule: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(16), comment="the month (YYYY-MM) the alert's facts belong to (AlertRead.period)")
    batch_code: Mapped[str] = mapped_column(String(64), index=True)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    company_code: Mapped[str] = mapped_column(String(18), server_default="", comment="'' where not one company's")
    product_id: Mapped[int] = mapped_column(BigInteger, server_default="0", comment="0 where not one product's")
    group_code: Mapped[str] = mapped_column(String(64), server_default="", comment="'' where not one group's")
    subject: Mapped[str] = mapped_column(String(64), server_default="", comment=(
        "what else tells two alerts of one kind apart: the lot held (lot_hold, CAT-14), the agreement "
        "(distributor_uncovered, CAT-15; unsigned, MON-15), the request (account_not_opened, CON-10); '' for "
        "most kinds"))
    region_code: Mapped[str | None] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(16), server_default="open")
    raised_on: Mapped[date] = mapped_column(Date)
    details: Mapped[dict] = mapped_column(JSONB)
    note: Mapped[str | None] = mapped_column(Text, comment="the acknowledgement's note")
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("kind", "period", "batch_code", "hospital_code", "company_code", "product_id", "group_code",
                         "subject", name="uq_alerts_once"),
        CheckConstraint("status IN ('open', 'acknowledged', 'resolved')", name="status_known"),
    )

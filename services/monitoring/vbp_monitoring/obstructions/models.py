"""MON-14 obstruction complaints (seeds 001/003/004): what a company party to an agreement says a
hospital does to keep winning products out, and the insurer's finding."""

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column
from vbpkit.runtime.clock import recorded_now

from vbp_monitoring.models import Base

# seed 004: 不得以费用控制、医疗机构使用品种规格数量要求、未申报采购量、要求企业缴纳质量保证金等为由…;
# seed 003: 医疗机构应积极配合做好账户开户; seeds 001/004: 不得在进院、备货环节收取额外费用、不得另行签订
# 背离协议实质内容的其他协议
KINDS = ("cost_control_pretext", "spec_or_quantity_limit", "unreported_volume", "deposit", "account_refused",
         "extra_fees", "side_agreement")


class Obstruction(Base):
    __tablename__ = "obstructions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    region_code: Mapped[str | None] = mapped_column(String(6), comment="the hospital's, when reported")
    company_code: Mapped[str] = mapped_column(String(18), index=True, comment="the company that reported it")
    batch_code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32), comment=" | ".join(KINDS))
    occurred_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), server_default="open",
                                        comment="open | substantiated | unsubstantiated")
    reported_by: Mapped[str] = mapped_column(String(100))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now,
                                                  server_default=func.now())
    finding: Mapped[str | None] = mapped_column(Text, comment="the insurer's words")
    found_by: Mapped[str | None] = mapped_column(String(100))
    found_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint("status IN ('open', 'substantiated', 'unsubstantiated')", name="status_known"),
        CheckConstraint(f"kind IN {KINDS}", name="kind_known"),
    )

"""SET-4 refunds (退回): what a plan still has outstanding when the policy's offset window
closes is demanded back from the hospital (seeds 000/002: 超过一年未抵扣完毕的，由医疗机构原渠道
全部退回), once; the insurer records what comes back. Amounts are their ledger postings'."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from vbp_settlement.models import Base
from vbpkit.runtime.clock import recorded_now


class RefundDemand(Base):
    """The demand: ``hospital:<H>:prepayment`` → ``hospital:<H>:refund_due`` (one per plan)."""

    __tablename__ = "refund_demands"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("prepayment_plans.id"), unique=True)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    fund: Mapped[str] = mapped_column(String(16))
    demanded_on: Mapped[date] = mapped_column(Date)
    posting_id: Mapped[int] = mapped_column(ForeignKey("ledger_postings.id"), unique=True)
    explain: Mapped[dict] = mapped_column(JSONB)


class RefundReceipt(Base):
    """What came back of a demand: ``hospital:<H>:refund_due`` → ``fund:<F>``."""

    __tablename__ = "refund_receipts"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("refund_demands.id"), index=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), unique=True)
    received_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now, server_default=func.now())

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column
from vbpkit.runtime.clock import recorded_now

from vbp_contracts.models import Base


class AccountOpening(Base):
    """CON-10 账户开户: a distributor's request that a hospital open its account, and the opening."""

    __tablename__ = "account_openings"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    distributor_code: Mapped[str] = mapped_column(String(18), index=True)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    batch_code: Mapped[str] = mapped_column(String(64), comment="the batch of the agreement it serves")
    requested_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now,
                                                   server_default=func.now())
    opened_on: Mapped[date | None] = mapped_column(Date)
    opened_by: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (Index("uq_account_openings_open", "distributor_code", "hospital_code", unique=True,
                            postgresql_where="opened_on IS NULL"),)

from datetime import date, datetime

from sqlalchemy import Date, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from vbp_settlement.models import Base


class DirectSettlementRegion(Base):
    """医保基金直接结算: a region (a province, a city or a county, by its code) where the fund
    pays companies directly for accepted invoices (SET-5), from ``since_on``.

    SET-3 reads it: Liaoning prepays only in the cities that do not settle directly (seed 001:
    未实施医保基金直接结算的市), and a hospital paid for directly is not also prepaid."""

    __tablename__ = "direct_settlement_regions"

    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    since_on: Mapped[date] = mapped_column(Date)
    set_by: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

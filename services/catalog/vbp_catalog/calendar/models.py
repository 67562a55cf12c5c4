from datetime import date, datetime

from sqlalchemy import ARRAY, Date, DateTime, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from vbp_catalog.models import Base


class CalendarYear(Base):
    """A year's official holiday schedule loaded by ops (CAT-10); overrides the seeded one."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    holidays: Mapped[list[date]] = mapped_column(ARRAY(Date))
    makeup_workdays: Mapped[list[date]] = mapped_column(ARRAY(Date))
    document: Mapped[str] = mapped_column(String(200), comment="the State Council notice it comes from")
    loaded_by: Mapped[str] = mapped_column(String(100))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

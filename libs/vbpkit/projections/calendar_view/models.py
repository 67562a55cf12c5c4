"""A working-day year ops loaded (CAT-10) as another service keeps it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from vbpkit.projections.base import ProjectionBase


class CalendarYearView(ProjectionBase):
    __tablename__ = "calendar_year_view"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holidays: Mapped[list[date]] = mapped_column(ARRAY(Date))
    makeup_workdays: Mapped[list[date]] = mapped_column(ARRAY(Date))
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))

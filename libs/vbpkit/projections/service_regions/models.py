"""A distributor's declared service regions (CAT-15) as another service keeps them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from vbpkit.projections.base import ProjectionBase


class ServedRegionView(ProjectionBase):
    """``regions``: [{region_code, accompanying_service}] as last declared."""

    __tablename__ = "served_region_view"

    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    regions: Mapped[list[dict]] = mapped_column(JSONB)
    declared_on: Mapped[date] = mapped_column(Date)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))

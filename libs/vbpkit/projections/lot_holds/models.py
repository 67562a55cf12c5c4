"""A lot hold (CAT-14) as another service keeps it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vbpkit.projections.base import ProjectionBase


class LotHoldView(ProjectionBase):
    """Lot ``lot`` of ``product_id`` is on hold from ``held_on`` while ``active``."""

    __tablename__ = "lot_hold_view"

    hold_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    product_id: Mapped[int] = mapped_column(BigInteger, index=True)
    lot: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    held_on: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))

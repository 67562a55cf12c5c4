"""A backup designation (CAT-13) as another service keeps it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from vbpkit.projections.base import ProjectionBase


class BackupView(ProjectionBase):
    """``backup_product_id`` supplies for ``failing_product_id`` in ``region_code`` and the
    regions under it at ``price_fen`` (with service) while ``active``."""

    __tablename__ = "backup_view"

    backup_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    batch_code: Mapped[str] = mapped_column(String(64))
    failing_product_id: Mapped[int] = mapped_column(BigInteger, index=True)
    backup_product_id: Mapped[int] = mapped_column(BigInteger)
    backup_manufacturer_code: Mapped[str | None] = mapped_column(String(18))
    region_code: Mapped[str] = mapped_column(String(6))
    price_fen: Mapped[int] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean)
    designated_on: Mapped[date] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))

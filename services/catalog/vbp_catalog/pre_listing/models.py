from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from vbp_catalog.models import Base


class PreListingAlert(Base):
    """CAT-12: a winning product not pre-listed by its batch's deadline, alerted once."""

    __tablename__ = "pre_listing_alerts"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    batch_code: Mapped[str] = mapped_column(String(64), index=True)
    deadline_on: Mapped[date] = mapped_column(Date)
    raised_on: Mapped[date] = mapped_column(Date)
    explain: Mapped[dict] = mapped_column(JSONB)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

"""Each hospital's first order of a batch (contracts' ``contracts.order.placed``): CON-9 alerts a
hospital with year-1 items that had ordered nothing by the start day."""

from datetime import date

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from vbp_monitoring.models import Base


class FirstOrder(Base):
    __tablename__ = "first_orders"

    hospital_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    batch_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    ordered_on: Mapped[date] = mapped_column(Date, comment="the day of its first order (Asia/Shanghai)")

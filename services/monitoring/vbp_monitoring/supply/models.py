"""What monitoring knows of supply, from contracts' events only (MON-6, MON-8): each answered
order line with its delivery, and per month the quantities ordered, confirmed, declined and
delivered per batch × hospital × product × company, kept as the events arrive so the monthly
report reads items, not lines."""

from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vbp_monitoring.models import Base


class SupplyLine(Base):
    """An order line the designated distributor confirmed or declined, and what was delivered
    of it. ``completed_on`` is the day the deliveries reached the ordered quantity."""

    __tablename__ = "supply_lines"

    order_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hospital_code: Mapped[str] = mapped_column(String(64))
    batch_code: Mapped[str] = mapped_column(String(64))
    product_id: Mapped[int] = mapped_column(BigInteger)
    manufacturer_code: Mapped[str] = mapped_column(String(18))
    distributor_code: Mapped[str] = mapped_column(String(18))
    quantity: Mapped[int] = mapped_column(Integer)
    ordered_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), comment="confirmed | declined")
    answered_on: Mapped[date] = mapped_column(Date)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    delivered_quantity: Mapped[int] = mapped_column(Integer, server_default="0")
    first_delivered_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint("status IN ('confirmed', 'declined')", name="status_known"),
        Index("ix_supply_lines_company", "manufacturer_code", "ordered_on"),
    )


class MonthlySupply(Base):
    """One month's supply of one item: ordered (answered lines by their order's month),
    confirmed, declined (by the month answered) and delivered (by the month delivered)."""

    __tablename__ = "monthly_supply"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    batch_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    hospital_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    product_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    manufacturer_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    ordered_quantity: Mapped[int] = mapped_column(BigInteger, server_default="0")
    confirmed_quantity: Mapped[int] = mapped_column(BigInteger, server_default="0")
    declined_quantity: Mapped[int] = mapped_column(BigInteger, server_default="0")
    delivered_quantity: Mapped[int] = mapped_column(BigInteger, server_default="0")

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKeyConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from vbp_settlement.models import Base


class AcceptedLine(Base):
    """An accepted delivery line as settlement knows it from contracts' events (never from
    contracts' database): what SET-1 may bill, net of returns (退货).

    ``biller_code`` is the company that invoices it — see :func:`vbp_settlement.deliveries.
    service.biller_of`."""

    __tablename__ = "accepted_lines"

    delivery_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    order_id: Mapped[int] = mapped_column(BigInteger)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    biller_code: Mapped[str] = mapped_column(String(18), index=True, comment="the company that invoices it (SET-1)")
    manufacturer_code: Mapped[str] = mapped_column(String(18))
    distributor_code: Mapped[str] = mapped_column(String(18))
    batch_code: Mapped[str] = mapped_column(String(64))
    product_id: Mapped[int] = mapped_column(BigInteger)
    agreement_id: Mapped[int] = mapped_column(BigInteger)
    unit_price_fen: Mapped[int] = mapped_column(BigInteger)
    accepted_quantity: Mapped[int] = mapped_column(Integer)
    returned_quantity: Mapped[int] = mapped_column(Integer, default=0)
    accepted_on: Mapped[date] = mapped_column(Date)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("accepted_quantity > 0", name="accepted_positive"),
        CheckConstraint("returned_quantity BETWEEN 0 AND accepted_quantity", name="returned_le_accepted"),
    )


class LineReturn(Base):
    """退货 of an accepted line, on the day it happened: SET-4's progressive offsets count the
    accepted amount net of what was returned up to a month's end (seed 004)."""

    __tablename__ = "accepted_line_returns"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(BigInteger)
    line_no: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    returned_on: Mapped[date] = mapped_column(Date)

    __table_args__ = (
        ForeignKeyConstraint(["delivery_id", "line_no"], ["accepted_lines.delivery_id", "accepted_lines.line_no"]),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_accepted_line_returns_line", "delivery_id", "line_no"),
    )

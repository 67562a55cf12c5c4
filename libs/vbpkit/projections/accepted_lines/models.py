"""Accepted delivery lines and their returns, as a service other than contracts keeps them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKeyConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from vbpkit.projections.base import ProjectionBase


class AcceptedLine(ProjectionBase):
    """An accepted delivery line: the purchase recorded (CON-5) — what monitoring counts towards
    progress (MON-1) and settlement may bill (SET-1). Accepted once, never changed: a return is a
    row of its own (:class:`LineReturn`), and what is left of a line is the difference.

    ``agreement_year`` is NULL only on lines settlement kept before this projection (it did not
    keep the year, and reads none); a replay of the topics fills it."""

    __tablename__ = "accepted_lines"

    delivery_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hospital_code: Mapped[str] = mapped_column(String(64))
    batch_code: Mapped[str] = mapped_column(String(64))
    agreement_year: Mapped[int | None] = mapped_column(Integer)
    manufacturer_code: Mapped[str] = mapped_column(String(18))
    product_id: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_fen: Mapped[int] = mapped_column(BigInteger)
    accepted_on: Mapped[date] = mapped_column(Date)
    as_of: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), comment="occurred_at of the acceptance event that recorded the line")

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_accepted_lines_item", "batch_code", "hospital_code", "product_id", "agreement_year"),
    )


class LineReturn(ProjectionBase):
    """退货 of an accepted line, on the day it happened: progress (MON-1) and the progressive
    offsets (SET-4, seed 004) count accepted net of what was returned up to a day."""

    __tablename__ = "line_returns"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(BigInteger)
    line_no: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    returned_on: Mapped[date] = mapped_column(Date)

    __table_args__ = (
        ForeignKeyConstraint(["delivery_id", "line_no"], ["accepted_lines.delivery_id", "accepted_lines.line_no"]),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_line_returns_line", "delivery_id", "line_no"),
    )

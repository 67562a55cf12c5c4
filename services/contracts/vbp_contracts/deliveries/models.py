from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from vbp_contracts.models import Base
from vbpkit.runtime.clock import recorded_now


class Delivery(Base):
    """配送: what a distributor delivered against one order (CON-5); may be partial."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    distributor_code: Mapped[str] = mapped_column(String(18), index=True)
    delivered_on: Mapped[date] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now, server_default=func.now())


class DeliveryLine(Base):
    __tablename__ = "delivery_lines"

    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True, comment="the order line delivered")
    quantity: Mapped[int] = mapped_column(Integer)
    lot: Mapped[str] = mapped_column(String(64))
    udi: Mapped[str | None] = mapped_column(String(200))
    accepted_quantity: Mapped[int | None] = mapped_column(Integer)
    returned_quantity: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("accepted_quantity IS NULL OR accepted_quantity BETWEEN 0 AND quantity", name="accepted_le_delivered"),
        CheckConstraint("returned_quantity BETWEEN 0 AND COALESCE(accepted_quantity, 0)", name="returned_le_accepted"),
    )


class Return(Base):
    """退货: accepted goods sent back, with a reason; its own event, counted against progress and invoices (CON-5)."""

    __tablename__ = "returns"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    returned_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now, server_default=func.now())

    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from vbp_contracts.models import Base
from vbpkit.runtime.clock import recorded_now


class Order(Base):
    """采购订单 from a HIS, idempotent on (hospital, HIS order number) (CON-4)."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    his_order_no: Mapped[str] = mapped_column(String(64))
    request_sha256: Mapped[str] = mapped_column(String(64), comment="the order as first placed")
    placed_by: Mapped[str] = mapped_column(String(100))
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now, server_default=func.now())

    __table_args__ = (UniqueConstraint("hospital_code", "his_order_no", name="uq_orders_his_order_no"),)


class OrderLine(Base):
    """A line of an order, routed to the distributor designated when it was placed (or since, CON-6)."""

    __tablename__ = "order_lines"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(BigInteger)
    batch_code: Mapped[str] = mapped_column(String(64))
    agreement_id: Mapped[int] = mapped_column(BigInteger, index=True)
    manufacturer_code: Mapped[str] = mapped_column(String(18))
    distributor_code: Mapped[str] = mapped_column(String(18), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_fen: Mapped[int] = mapped_column(BigInteger)
    beyond_agreed: Mapped[bool] = mapped_column(comment="ordered past the agreed volume (still at the winning price)")
    status: Mapped[str] = mapped_column(String(16), comment="pending | confirmed | declined")
    decline_reason: Mapped[str | None] = mapped_column(Text)
    delivered_quantity: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("status IN ('pending', 'confirmed', 'declined')", name="status"),
        CheckConstraint("delivered_quantity <= quantity", name="not_over_delivered"),
    )

"""The lot of each delivered line (contracts' ``contracts.delivery.recorded``): CAT-14 finds the
hospitals that accepted a lot held later."""

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from vbp_monitoring.models import Base


class DeliveredLot(Base):
    __tablename__ = "delivered_lots"

    delivery_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    product_id: Mapped[int] = mapped_column(BigInteger)
    lot: Mapped[str] = mapped_column(String(64))

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from vbp_contracts.models import Base


class AgreedVolume(Base):
    """约定采购量: the quantity a hospital committed to buy of a winning product in one
    agreement year of a batch (CON-1), as confirmed earlier by the hospital."""

    __tablename__ = "agreed_volumes"

    batch_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    agreement_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    hospital_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    product_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("agreement_year >= 1", name="year_from_one"),
    )

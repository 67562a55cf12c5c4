from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column
from vbpkit.runtime.clock import recorded_now

from vbp_contracts.models import Base


class VolumeTransfer(Base):
    """CON-7 转移: the remaining volume of one hospital's failing item moved to a designated
    backup (CAT-13) from ``transfer_on``. One per (hospital, failing product, agreement year):
    a second is an overlap (409)."""

    __tablename__ = "volume_transfers"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    batch_code: Mapped[str] = mapped_column(String(64))
    agreement_year: Mapped[int] = mapped_column(Integer)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    failing_product_id: Mapped[int] = mapped_column(BigInteger)
    failing_agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    failing_manufacturer_code: Mapped[str] = mapped_column(String(18), index=True)
    backup_id: Mapped[int] = mapped_column(BigInteger, comment="the CAT-13 designation transferred to")
    backup_product_id: Mapped[int] = mapped_column(BigInteger)
    backup_agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    backup_manufacturer_code: Mapped[str] = mapped_column(String(18), index=True)
    backup_item_new: Mapped[bool] = mapped_column(Boolean, comment="the hospital had no item of the backup before")
    distributor_code: Mapped[str | None] = mapped_column(String(18))
    remaining: Mapped[int] = mapped_column(Integer, comment="agreed − accepted net of returns when transferred")
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_fen: Mapped[int] = mapped_column(BigInteger, comment="the backup's price for this hospital")
    transfer_on: Mapped[date] = mapped_column(Date)
    emergency: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    region_code: Mapped[str] = mapped_column(String(6), comment="the hospital's region (who may read it)")
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now,
                                                  server_default=func.now())

    __table_args__ = (UniqueConstraint("hospital_code", "failing_product_id", "agreement_year", "batch_code",
                                       name="uq_volume_transfers_item"),)

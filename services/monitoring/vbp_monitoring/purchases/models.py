"""What monitoring knows of agreements, from contracts' events only (MON-1 and later rules): the
effective agreements with their items. The accepted delivery lines and their returns, each with
its date, are the kit's projection (``vbpkit.projections.accepted_lines``), so every figure
answers for any ``as_of``."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from vbp_monitoring.models import Base


class Agreement(Base):
    """The latest effective version of an agreement (a later version supersedes, CON-2)."""

    __tablename__ = "agreements"

    agreement_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    version_no: Mapped[int] = mapped_column(Integer)
    batch_code: Mapped[str] = mapped_column(String(64), index=True)
    agreement_year: Mapped[int] = mapped_column(Integer)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    manufacturer_code: Mapped[str] = mapped_column(String(18), index=True)
    distributor_code: Mapped[str | None] = mapped_column(
        String(18), comment="the designated distributor of the effective version (MON-11 shows other suppliers)")


class AgreementItem(Base):
    """One product's agreed volume in an agreement (约定采购量)."""

    __tablename__ = "agreement_items"

    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.agreement_id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    agreed_quantity: Mapped[int] = mapped_column(Integer)
    unit_price_fen: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (CheckConstraint("agreed_quantity >= 0", name="agreed_not_negative"),)


class ProductStatusChange(Base):
    """A winning product's status from a day (catalog's ``catalog.product.status_changed``):
    MON-1 accrues no target for an item on the days its product is suspended or disqualified
    (issue 25: a supplier's failure is not counted against the hospital)."""

    __tablename__ = "product_status_changes"

    product_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    effective_on: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500))
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True), comment="occurred_at of the event kept")


class TransferFact(Base):
    """CON-7 (contracts' ``contracts.volume.transferred``): a hospital's failing item moved to a
    backup from ``transfer_on``. MON-1 assesses the failing item up to the day before, pro
    rata as an early end, and the backup's new item from that day."""

    __tablename__ = "volume_transfers"

    transfer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    batch_code: Mapped[str] = mapped_column(String(64))
    agreement_year: Mapped[int] = mapped_column(Integer)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    failing_product_id: Mapped[int] = mapped_column(BigInteger)
    backup_product_id: Mapped[int] = mapped_column(BigInteger)
    backup_item_new: Mapped[bool] = mapped_column(Boolean)
    quantity: Mapped[int] = mapped_column(Integer)
    transfer_on: Mapped[date] = mapped_column(Date)

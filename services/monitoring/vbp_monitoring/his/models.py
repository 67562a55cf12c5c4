"""MON-11: the rows hospitals' HIS send in the national 进销存 shapes, the mappings of their
national codes to catalog products, and the months reconciled.

The rows are monitoring's own state, like the exchange's pushes: no event carries them, so a
replay keeps them (``OWN_STATE``) — and the reconciliation, computed from them and from the
accepted-lines projection a replay refills, comes back the same.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, Index, Numeric, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from vbpkit.runtime.clock import recorded_now

from vbp_monitoring.models import Base


class HisRecord(Base):
    """One row of a national interface (3501–3506) as a hospital sent it, identity removed.
    Keyed as the national platform keys it: (hospital, data type, ``fixmedins_bchno``)."""

    __tablename__ = "his_records"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    hospital_code: Mapped[str] = mapped_column(String(64))
    data_type: Mapped[str] = mapped_column(
        String(16), comment="purchase (3503) | purchase_return (3504) | sale (3505) | sale_return (3506) | "
        "stock_count (3501) | stock_change (3502)")
    fixmedins_bchno: Mapped[str] = mapped_column(String(30))
    med_list_codg: Mapped[str] = mapped_column(String(50), comment="as catalog keeps codes: no separators, upper case")
    quantity: Mapped[Decimal] = mapped_column(Numeric(16, 4), comment="in the HIS's unit (the smallest pricing unit)")
    price: Mapped[Decimal | None] = mapped_column(Numeric(16, 6), comment="yuan per HIS unit")
    happened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), comment="stock-in, sale, change or count time")
    month: Mapped[date] = mapped_column(Date, comment="the first day of happened_at's month, Beijing time")
    supplier: Mapped[str | None] = mapped_column(String(200), comment="spler_name of a purchase or its return")
    fields: Mapped[dict] = mapped_column(JSONB, comment="every national field sent, as text; no identity")
    content_sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now)

    __table_args__ = (
        UniqueConstraint("hospital_code", "data_type", "fixmedins_bchno", name="uq_his_records_key"),
        Index("ix_his_records_month", "month", "data_type"),
        Index("ix_his_records_hospital_month", "hospital_code", "month"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
    )


class HisCodeMapping(Base):
    """A national code a HIS uses mapped to a catalog product by hand, with how many HIS units
    (the smallest pricing unit, 片, 支) make one catalog unit (盒). Codes the catalog knows as a
    product's insurance code (CAT-11) map without one, one to one."""

    __tablename__ = "his_code_mappings"

    med_list_codg: Mapped[str] = mapped_column(String(50), primary_key=True)
    product_id: Mapped[int] = mapped_column(BigInteger)
    his_units_per_unit: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    note: Mapped[str | None] = mapped_column(String(500))
    set_by: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now)

    __table_args__ = (CheckConstraint("his_units_per_unit > 0", name="units_positive"),)


class HisReconciledMonth(Base):
    """A month the alert check reconciled for every hospital and announced, once."""

    __tablename__ = "his_reconciled_months"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    reconciled_on: Mapped[date] = mapped_column(Date)
    hospitals: Mapped[int] = mapped_column(BigInteger)

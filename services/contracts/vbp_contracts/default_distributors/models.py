from datetime import datetime

from sqlalchemy import DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column
from vbpkit.runtime.clock import recorded_now

from vbp_contracts.models import Base


class DefaultDistributor(Base):
    """CON-8: the distributor a manufacturer names for a batch in a region (and the regions under
    it), to whom the orders of hospitals there without an agreement go."""

    __tablename__ = "default_distributors"

    batch_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    manufacturer_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    distributor_code: Mapped[str] = mapped_column(String(18))
    declared_by: Mapped[str] = mapped_column(String(100))
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now,
                                                  server_default=func.now())

from datetime import datetime

from sqlalchemy import DateTime, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from vbp_monitoring.models import Base


class MonitoredHospital(Base):
    """Read model of the catalog registry: the region and level progress rolls up by (MON-1, MON-8)."""

    __tablename__ = "monitored_hospitals"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(SmallInteger)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))

from datetime import datetime

from sqlalchemy import DateTime, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from vbp_settlement.models import Base


class FundedHospital(Base):
    """Read model of the catalog registry: which insurance fund prepays a hospital (SET-3)."""

    __tablename__ = "funded_hospitals"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(SmallInteger)
    fund: Mapped[str] = mapped_column(String(16), comment="employee (职工医保) | resident (居民医保)")
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))

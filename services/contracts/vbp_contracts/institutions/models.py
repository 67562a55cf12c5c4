from datetime import datetime

from sqlalchemy import DateTime, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from vbp_contracts.models import Base


class HospitalParty(Base):
    """Read model of the catalog registry: who may sign agreements and order (CON-2, CON-4)."""

    __tablename__ = "hospital_parties"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    level: Mapped[int] = mapped_column(SmallInteger)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True), comment="occurred_at of the event applied last")

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, SmallInteger, String, func
from sqlalchemy.orm import Mapped, mapped_column

from vbp_catalog.models import Base


class Institution(Base):
    """医疗机构: a medical institution of the registry (CAT-9)."""

    __tablename__ = "institutions"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint("level IN (1, 2, 3)", name="level"),
        CheckConstraint("kind IN ('public', 'military', 'private', 'retail_pharmacy')", name="kind"),
    )

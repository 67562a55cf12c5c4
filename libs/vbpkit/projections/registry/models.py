"""The catalog registry as another service keeps it (CAT-9)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ARRAY, DateTime, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from vbpkit.projections.base import ProjectionBase

EMPLOYEE_FUND_MIN_LEVEL = 2


def fund_for_level(level: int) -> str:
    """SET-3 (seeds 000/002): hospitals of level ≥ 2 draw on the employee fund (职工医保),
    others on the resident fund (居民医保)."""
    return "employee" if level >= EMPLOYEE_FUND_MIN_LEVEL else "resident"


class InstitutionView(ProjectionBase):
    """A registered institution: who may sign and order (CON-2, CON-4), which fund prepays
    it (SET-3) and the region progress rolls up by (MON-1, MON-8).

    ``kind`` and ``region_code`` are NULL only on rows copied from a service's earlier
    institution read model that did not keep them; the institution's next registration
    event fills them.
    """

    __tablename__ = "institution_view"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[str | None] = mapped_column(String(32))
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    fund: Mapped[str] = mapped_column(String(16), comment="employee (职工医保) | resident (居民医保)")
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True), comment="occurred_at of the event applied last")


class CompanyView(ProjectionBase):
    """A manufacturer and/or distributor (CAT-9): who may sign and deliver."""

    __tablename__ = "company_view"

    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))

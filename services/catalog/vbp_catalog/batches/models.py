from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column
from vbpkit.domain.policy import ExecutionPolicy
from vbpkit.domain.policy.column import PolicyColumn

from vbp_catalog.models import Base


class Batch(Base):
    """集采批次: one procurement batch whose results this platform executes (CAT-1)."""

    __tablename__ = "batches"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    organiser_level: Mapped[str] = mapped_column(String(16))
    document_no: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date] = mapped_column(Date)
    cycle_years: Mapped[int | None] = mapped_column(Integer)
    ends_on: Mapped[date] = mapped_column(Date, comment="last day of the cycle as now in force")
    planned_ends_on: Mapped[date] = mapped_column(Date, comment="last day as first published")
    ended_early_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(Text)
    policy: Mapped[ExecutionPolicy] = mapped_column(PolicyColumn)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint("kind IN ('drug', 'consumable')", name="kind"),
        CheckConstraint(
            "organiser_level IN ('national', 'alliance', 'provincial', 'prefecture')", name="organiser_level"
        ),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
    )


class BatchGroup(Base):
    """组别: a group inside a batch; one company's products in a group are assessed together (CAT-2)."""

    __tablename__ = "batch_groups"

    batch_code: Mapped[str] = mapped_column(ForeignKey("batches.code"), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))

"""The catalog's batches and products as another service keeps them (CAT-1..CAT-6)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from vbpkit.domain.policy import Cycle, ExecutionPolicy
from vbpkit.domain.policy.column import PolicyColumn
from vbpkit.projections.base import ProjectionBase


class BatchView(ProjectionBase):
    """A batch as last published, with its whole typed execution policy (CAT-1, §4) and its
    groups (CAT-2); ``ends_on`` is the end in force after an extension or an early end."""

    __tablename__ = "batch_view"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    ended_early_on: Mapped[date | None] = mapped_column(Date)
    policy: Mapped[ExecutionPolicy] = mapped_column(PolicyColumn)
    groups: Mapped[list[dict]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"),
                                               comment="[{code, name}] of the batch's groups (CAT-2)")
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @property
    def cycle(self) -> Cycle:
        """The cycle in force, for the date rules of vbpkit.domain.policy.dates."""
        return Cycle(starts_on=self.starts_on, ends_on=self.ends_on, preset=self.policy.preset)


class ProductView(ProjectionBase):
    """A listed product with its current winning price, status and group (CAT-2/3/4/6)."""

    __tablename__ = "product_view"

    product_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    batch_code: Mapped[str] = mapped_column(String(64), index=True)
    group_code: Mapped[str | None] = mapped_column(String(64))
    registration_no: Mapped[str] = mapped_column(String(64))
    spec: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    applicant_credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    winning: Mapped[bool] = mapped_column(Boolean)
    service_price_fen: Mapped[int] = mapped_column(BigInteger)
    winning_price_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    insurance_code: Mapped[str | None] = mapped_column(
        String(27), index=True, comment="CAT-11 national insurance code (医保药品/耗材代码)")
    unit: Mapped[str | None] = mapped_column(String(32), comment="the unit the catalog prices (盒, 支, 个)")
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))

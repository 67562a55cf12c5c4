from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from vbpkit.db.limits import BIGINT_MAX
from vbpkit.domain.money import NonNegativeYuan, YuanFromFen
from vbpkit.web.problems import invalid_field

from vbp_catalog.national_prices.models import NationalLowestPrice


class NationalLowestPriceRecord(BaseModel):
    """The exchange records a new national lowest price (CAT-12, seed 003): for the whole
    category of the batch, one group of it, or one non-winning product."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    price: NonNegativeYuan = Field(description="全国最低价 with service, comparable with a listing's price",
                                   examples=["469.00"])
    effective_on: date = Field(description="from this day it caps listings and lowers those above it")
    group: str | None = Field(default=None, min_length=1, max_length=64, description="one group (组别) only")
    product_id: int | None = Field(default=None, ge=1, le=BIGINT_MAX, description="one non-winning product only")
    source: str = Field(min_length=1, max_length=500, description=(
        "where the figure comes from: a provincial platform price, not a self-reported or filing price (seed 003)"),
        examples=["全国省级集中采购平台最低挂网价 (2026-11 查询)"])

    @model_validator(mode="after")
    def _one_scope(self):
        if self.price <= 0:
            raise invalid_field("price", "a national lowest price is above 0.00")
        if self.group is not None and self.product_id is not None:
            raise invalid_field("product_id", "give a group or a product, not both")
        return self


class NationalLowestPriceRead(BaseModel):
    id: int
    batch_code: str
    group: str | None
    product_id: int | None
    price: YuanFromFen
    effective_on: date
    source: str
    status: Literal["pending", "applied"] = Field(description="pending until its day, applied from it")
    applied_on: date | None
    outcome: dict[str, Any] | None = Field(description="the listings lowered or suspended, and the caps moved")
    recorded_by: str
    recorded_at: datetime

    @classmethod
    def of(cls, row: NationalLowestPrice) -> "NationalLowestPriceRead":
        return cls(id=row.id, batch_code=row.batch_code, group=row.group_code, product_id=row.product_id,
                   price=row.price_fen, effective_on=row.effective_on, source=row.source, status=row.status,
                   applied_on=row.applied_on, outcome=row.outcome, recorded_by=row.recorded_by,
                   recorded_at=row.recorded_at)


class NationalLowestPriceList(BaseModel):
    items: list[NationalLowestPriceRead]

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from vbpkit.domain.money import NonNegativeYuan, format_yuan

from vbp_catalog.lower_prices.models import LowerPrice, PriceReduction


class LowerPriceRecord(BaseModel):
    """The exchange records a lower provincial winning or listing price elsewhere (CAT-6)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    price: NonNegativeYuan = Field(description="the lower price, comparable with the winning price (with service)")
    effective_on: date = Field(description="the day the lower price took effect there")
    region: str = Field(min_length=1, max_length=100, examples=["江苏省"])
    source: str = Field(min_length=1, max_length=500, examples=["苏医保发〔2025〕12号 中选结果"])


class ReductionApply(BaseModel):
    """A company lowers its winning price (with service) from a date (CAT-6)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    winning_price: NonNegativeYuan
    effective_on: date
    reason: str = Field(default="就低调整 (CAT-6)", min_length=1, max_length=500)


def lower_price_read(row: LowerPrice) -> dict[str, Any]:
    return {
        "id": row.id, "price": format_yuan(row.price_fen), "effective_on": row.effective_on.isoformat(),
        "region": row.region, "source": row.source, "deadline_on": row.deadline_on.isoformat(),
        "status": row.status, "recorded_by": row.recorded_by, "explain": row.explain,
    }


def reduction_read(row: PriceReduction) -> dict[str, Any]:
    return {
        "id": row.id, "winning_price": format_yuan(row.winning_price_fen),
        "effective_on": row.effective_on.isoformat(), "applied": row.applied, "reason": row.reason,
        "applied_by": row.applied_by,
    }


class LowerPriceRead(BaseModel):
    """A recorded lower price elsewhere and the deadline it set (CAT-6)."""

    id: int
    price: str = Field(description="yuan", examples=["700.00"])
    effective_on: date
    region: str
    source: str
    deadline_on: date = Field(description="the last day to apply for the reduction (CAT-10 working days)")
    status: Literal["open", "met", "lapsed"]
    recorded_by: str
    explain: dict[str, Any] = Field(description="the count of working days: holidays, weekends and make-up days")


class Consequence(BaseModel):
    rule: Literal["CAT-6"]
    deadline_passed: bool
    disqualified_on: date
    check_runs_within_seconds: float
    detail: str


class LowerPriceRecorded(LowerPriceRead):
    consequence: Consequence = Field(description="what the record means for the product, said now")


class ReductionRead(BaseModel):
    """A company's reduction of its winning price from a day (CAT-6)."""

    id: int
    winning_price: str = Field(description="yuan, with service", examples=["690.00"])
    effective_on: date
    applied: bool = Field(description="false until its day comes")
    reason: str
    applied_by: str


class CheckRun(BaseModel):
    today: date
    reductions_applied: int
    lower_prices_lapsed: int
    disqualified_products: list[int]

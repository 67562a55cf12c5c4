from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["cost_control_pretext", "spec_or_quantity_limit", "unreported_volume", "deposit", "account_refused",
               "extra_fees", "side_agreement"]


class ComplaintIn(BaseModel):
    """A company party to an agreement with the hospital reports an obstruction (MON-14)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    hospital_code: str = Field(min_length=1, max_length=64)
    batch_code: str | None = Field(default=None, max_length=64, description=(
        "the batch of the agreement concerned; default the one agreement batch you share with the hospital"))
    kind: Kind = Field(description="费用控制 pretext, 品种规格数量 limits, 未申报采购量, 质量保证金 deposits, refusing "
                                   "to open an account, extra fees at entry or stocking, side agreements departing "
                                   "from the signed one")
    occurred_on: date
    description: str = Field(min_length=1, max_length=2000, examples=["以控费为由要求暂停使用中选产品"])


class FindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    finding: Literal["substantiated", "unsubstantiated"]
    reason: str = Field(min_length=1, max_length=2000)


class ComplaintRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    hospital_code: str
    region_code: str | None
    company_code: str
    batch_code: str
    kind: str
    occurred_on: date
    description: str
    status: Literal["open", "substantiated", "unsubstantiated"]
    reported_by: str
    reported_at: datetime
    finding: str | None
    found_by: str | None
    found_on: date | None


class ComplaintPage(BaseModel):
    items: list[ComplaintRead]
    next_cursor: int | None

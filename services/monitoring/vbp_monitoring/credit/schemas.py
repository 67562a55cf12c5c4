from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from vbpkit.domain.money import AMOUNT_MAX_FEN, NonNegativeYuan

Severity = Literal["一般", "中等", "严重", "特别严重"]


class BreachIn(BaseModel):
    """A breach the insurer records (MON-6): what no event shows."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    company_code: str = Field(min_length=1, max_length=18)
    batch_code: str = Field(default="", max_length=64, description="the batch it concerns; empty for none")
    kind: Literal["accompanying_service", "quality", "illegal_conduct", "price", "late_supply", "failed_supply"]
    severity: Severity
    occurred_on: date
    description: str = Field(min_length=1, max_length=2000)


class Exemption(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=1000, description="the force majeure (不可抗力) that excuses it")


class BreachRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    company_code: str
    batch_code: str
    kind: str
    severity: str
    occurred_on: date
    source: str = Field(description="detected (from supply) | recorded (by the insurer)")
    hospital_code: str | None
    distributor_code: str | None
    order_id: int | None
    line_no: int | None
    description: str
    recorded_by: str
    recorded_at: datetime
    exempt: bool
    exemption_reason: str | None
    exempted_by: str | None


class BreachPage(BaseModel):
    items: list[BreachRead]
    next_cursor: int | None = None


class Announced(BaseModel):
    rating: str | None
    since: date


class Rating(BaseModel):
    company_code: str
    as_of: date
    rating: Severity | None = Field(description="the most severe breach counted; none for none")
    announced: Announced | None = Field(description="the rating last announced with monitoring.rating.changed")
    breaches: list[BreachRead] = Field(description="the breaches counted")
    explain: dict[str, Any]


class CostIn(BaseModel):
    """A cost a hospital proved against a breach (MON-13; seeds 003/004 承担所有费用)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    hospital_code: str = Field(min_length=1, max_length=64)
    amount: NonNegativeYuan = Field(gt=0, le=AMOUNT_MAX_FEN, description="yuan above 0, e.g. \"12800.00\"")
    what_for: str = Field(min_length=1, max_length=1000, examples=["紧急采购替代产品的差价及加急运费"])
    evidence_ref: str = Field(min_length=1, max_length=200, examples=["渝一院财〔2026〕31号"])
    incurred_on: date


class CostRead(BaseModel):
    id: int
    breach_id: int
    company_code: str
    hospital_code: str
    amount: str = Field(description="yuan")
    what_for: str
    evidence_ref: str
    incurred_on: date
    recorded_by: str
    recorded_at: datetime


class CostList(BaseModel):
    items: list[CostRead]

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from vbpkit.db.limits import BIGINT_MAX
from vbpkit.domain.money import AMOUNT_MAX_FEN, NonNegativeYuan, YuanFromFen


class BaselineRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: int = Field(ge=1, le=BIGINT_MAX)
    baseline_price: NonNegativeYuan = Field(le=AMOUNT_MAX_FEN, description="the pre-procurement purchase price")


class BaselinePush(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rows: list[BaselineRow] = Field(min_length=1, max_length=10_000, description="≤ 10,000 rows")


class BaselineResult(BaseModel):
    received: int
    stored: int
    errors: list[dict[str, Any]]


class HospitalSavings(BaseModel):
    hospital_code: str
    savings: YuanFromFen
    products: list[dict[str, Any]]


class SavingsRead(BaseModel):
    batch_code: str
    as_of: date
    year: int | None
    total: YuanFromFen
    items: list[HospitalSavings]
    explain: dict[str, Any] = {}

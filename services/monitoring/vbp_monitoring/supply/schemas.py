from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field
from vbpkit.domain.money import YuanFromFen


class CompanyPerformance(BaseModel):
    company_code: str
    company_name: str | None = Field(default=None, description="the registered name of `company_code`")
    lines_answered: int
    lines_confirmed: int
    lines_declined: int
    lines_due: int = Field(description="confirmed lines whose delivery window has closed (or delivered in time)")
    delivered_in_time: int
    undelivered_after_window: int
    fill_rate: str | None = Field(description="delivered_in_time ÷ lines_due, 4 places; none when nothing is due")
    lead_time_days_p50: int | None
    lead_time_days_p90: int | None
    breaches_in_period: int
    failure_costs: YuanFromFen = Field(default=0, description=(
        "MON-13: Σ costs hospitals proved against the company's breaches of the period (承担所有费用), recorded, "
        "not deducted"))
    rating: str | None = Field(description="一般 | 中等 | 严重 | 特别严重, or none: the most severe breach of the "
                                           "12 months to as_of")
    explain: dict[str, Any]


class PerformancePage(BaseModel):
    first: date
    last: date
    as_of: date
    items: list[CompanyPerformance]

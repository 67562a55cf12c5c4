from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from vbpkit.domain.money import YuanFromFen


class HospitalTimeliness(BaseModel):
    hospital_code: str
    invoices_due: int
    paid_on_time: int
    on_time_rate: str | None = Field(description="4 places; none when no invoice fell due")
    found_overdue: int
    unpaid_by_due_date: YuanFromFen
    late_tranches: list[dict[str, Any]]
    fund_payables: list[dict[str, Any]]
    explain: dict[str, Any]


class TimelinessPage(BaseModel):
    month: str
    items: list[HospitalTimeliness]

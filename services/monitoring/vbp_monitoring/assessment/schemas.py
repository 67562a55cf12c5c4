from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field
from vbpkit.domain.money import YuanFromFen

from vbp_monitoring.supply.schemas import CompanyPerformance


class HospitalAssessment(BaseModel):
    hospital_code: str
    hospital_name: str | None = Field(default=None, description="the registered name of `hospital_code`")
    completion: str = Field(description="accepted ÷ agreed amount (MON-1), 4 places")
    target: str
    agreed_amount: YuanFromFen = Field(description="the year's agreed amount, pro rata to an early end")
    accepted_amount: YuanFromFen
    invoices_due: int
    paid_on_time: int
    on_time_rate: str | None
    onboarded_on: date | None = Field(description="the first accepted delivery of the batch")
    onboarding_check_day: date | None = Field(description="two months after the start; the first year only")
    substitute_alert_months: int
    months: int = Field(description="months of the year elapsed by as_of")
    on_platform_quantity: str | None = Field(None, description="MON-11: accepted on the platform net of returns, "
                                                               "of the batch's winning products; null without HIS uploads")
    his_quantity: str | None = Field(None, description="MON-11: the HIS's net purchases of them (3503 − 3504), "
                                                       "catalog units")
    savings: YuanFromFen = Field(description="MON-9, reported, not scored")
    obstructions_substantiated: int = Field(default=0, description=(
        "MON-14: complaints of obstruction found substantiated in the year; reported, not scored"))
    scores: dict[str, str | None] = Field(description="each component's score, 0–100; null: nothing to assess")
    score: str | None = Field(description="the weighted mean of the assessed components' scores, their weights "
                                          "re-based, 2 places; null when nothing could be assessed")
    grade: str | None = Field(description="the first band of the grades the score reaches; null with no score")


class Assessment(BaseModel):
    batch_code: str
    year: int = Field(description="the agreement year")
    as_of: date
    provisional: bool = Field(description="true before the year's last day")
    hospitals: list[HospitalAssessment]
    companies: list[CompanyPerformance]
    explain: dict[str, Any]

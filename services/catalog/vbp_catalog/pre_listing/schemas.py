from datetime import date
from typing import Any

from pydantic import BaseModel, Field


class PreListingProduct(BaseModel):
    product_id: int
    registration_no: str
    spec: str
    name: str
    applicant: str
    status: str
    pre_listed_on: date | None = Field(description="first day on the platform before the start")
    on_time: bool = Field(description="on the platform by the deadline")
    alerted_on: date | None = Field(description="the day the missed deadline was alerted")


class PreListing(BaseModel):
    """CAT-12 预挂网 of one batch: the deadline with its count, and where each winning product stands."""

    batch_code: str
    starts_on: date
    deadline_on: date
    explain: dict[str, Any]
    products: list[PreListingProduct]
    summary: dict[str, int]


class CheckResult(BaseModel):
    today: date
    national_lowest_prices_applied: list[int] = Field(description="figures whose day came (CAT-12 同步调整)")
    listed_at_start: list[int] = Field(description="pre-listed products listed as their batch started")
    alerted: list[int] = Field(description="winning products not pre-listed by their deadline, alerted now")
    calendar_missing: list[dict[str, Any]] = Field(
        description="batches whose deadline needs a working-day calendar year nobody loaded (CAT-10)")

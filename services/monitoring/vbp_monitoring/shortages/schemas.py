from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from vbpkit.db.limits import BIGINT_MAX


class ShortageIn(BaseModel):
    """A hospital or a county insurer reports a product short (MON-12)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    product_id: int = Field(ge=1, le=BIGINT_MAX)
    region_code: str | None = Field(default=None, min_length=6, max_length=6, description=(
        "where it is short: a hospital's own region (the default), or for an insurer its region or one under it "
        "(default its own)"))
    since: date
    quantity_short: int = Field(ge=1, le=100_000_000)
    note: str = Field(min_length=1, max_length=2000, examples=["配送企业连续两周无货，手术排期受影响"])


class EscalationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str = Field(min_length=1, max_length=2000)


class ResolutionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    action: Literal["backup", "transfer", "restored", "other"] = Field(description=(
        "a backup designated (CAT-13), a volume transfer (CON-7), supply restored, or other"))
    resolution: str = Field(min_length=1, max_length=2000, description="what was done")


class ShortageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    product_id: int
    batch_code: str
    company_code: str
    region_code: str
    hospital_code: str | None
    handling_region_code: str = Field(description="the region whose insurer handles it now")
    since: date
    quantity_short: int
    note: str
    status: Literal["open", "resolved"]
    escalations: list[dict]
    reported_by: str
    reported_at: datetime
    action: str | None
    resolution: str | None
    resolved_by: str | None
    resolved_on: date | None


class ShortagePage(BaseModel):
    items: list[ShortageRead]
    next_cursor: int | None

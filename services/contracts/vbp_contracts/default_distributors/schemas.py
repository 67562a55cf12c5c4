from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class DefaultIn(BaseModel):
    """A manufacturer names the distributor for a batch in a region (CON-8)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    batch_code: str = Field(min_length=1, max_length=64)
    region_code: str = Field(pattern=r"^\d{6}$", description="the region and every region under it")
    distributor_code: str = Field(min_length=18, max_length=18)


class DefaultRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    batch_code: str
    manufacturer_code: str
    region_code: str
    distributor_code: str
    declared_by: str
    declared_at: datetime


class DefaultList(BaseModel):
    items: list[DefaultRead]

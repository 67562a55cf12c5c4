from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RegionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    region_code: str = Field(min_length=6, max_length=6, pattern=r"^\d{6}$",
                             description="a GB/T 2260 code: the region and every region under it")
    accompanying_service: bool = Field(description="whether it gives accompanying service (伴随服务) there")


class ServiceRegionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    regions: list[RegionIn] = Field(max_length=500, description="the whole set; it replaces the one declared before")


class ServiceRegionsRead(BaseModel):
    credit_code: str
    regions: list[RegionIn]

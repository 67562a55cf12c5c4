from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Institution(BaseModel):
    hospital_code: str
    hospital_name: str
    kind: str | None
    region_code: str | None


class CoverageRead(BaseModel):
    batch_code: str
    year: int
    region_code: str | None
    provinces: list[str] = Field(description="where the batch's volumes were agreed: the provinces in scope")
    in_scope: int = Field(description="public and military institutions of the region in those provinces")
    without_volumes: list[Institution]
    without_agreement: list[Institution]
    explain: dict[str, Any]

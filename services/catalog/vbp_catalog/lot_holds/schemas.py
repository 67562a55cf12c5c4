from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    lot: str = Field(min_length=1, max_length=64, description="the lot (批号) as the distributor records it on delivery")
    reason: str = Field(min_length=1, max_length=2000, examples=["抽检不合格，暂停使用"])


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=2000)


class HoldRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    product_id: int
    lot: str
    reason: str
    status: Literal["held", "released"]
    held_by: str
    held_at: datetime
    released_by: str | None
    released_at: datetime | None
    release_reason: str | None


class HoldList(BaseModel):
    items: list[HoldRead]

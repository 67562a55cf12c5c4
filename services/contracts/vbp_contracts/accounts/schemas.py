from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    hospital_code: str = Field(min_length=1, max_length=64)
    requested_on: date | None = Field(default=None, description="default today")
    note: str = Field(default="", max_length=2000, examples=["已提交开户资料：营业执照、授权书、开票信息"])


class OpeningIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    opened_on: date | None = Field(default=None, description="default today")


class AccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    distributor_code: str
    hospital_code: str
    batch_code: str
    requested_on: date
    note: str
    requested_by: str
    requested_at: datetime
    opened_on: date | None
    opened_by: str | None


class AccountPage(BaseModel):
    items: list[AccountRead]
    next_cursor: int | None = None

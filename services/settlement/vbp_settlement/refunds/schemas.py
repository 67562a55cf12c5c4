from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from vbpkit.domain.money import AMOUNT_MAX_FEN, NonNegativeYuan, YuanFromFen


class RefundRead(BaseModel):
    id: int
    plan_id: int
    hospital_code: str
    fund: str
    demanded_on: date
    demanded: YuanFromFen
    received: YuanFromFen
    still_due: YuanFromFen
    explain: dict[str, Any]

    @classmethod
    def of(cls, demand, amounts: tuple[int, int]) -> RefundRead:
        demanded, received = amounts
        return cls(id=demand.id, plan_id=demand.plan_id, hospital_code=demand.hospital_code, fund=demand.fund,
                   demanded_on=demand.demanded_on, demanded=demanded, received=received,
                   still_due=demanded - received, explain=demand.explain)


class RefundPage(BaseModel):
    items: list[RefundRead]
    next_cursor: int | None = Field(default=None, description="pass as `cursor` for the next page")


class RefundCheck(BaseModel):
    checked_on: date
    refunds_demanded: list[int] = Field(description="the refund demands this run made")


class ReceiptCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: NonNegativeYuan = Field(le=AMOUNT_MAX_FEN, description="more than zero, at most what is still due")
    received_on: date

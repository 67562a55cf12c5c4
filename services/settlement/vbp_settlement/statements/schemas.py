from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field
from vbpkit.domain.money import YuanFromFen


class StatementOffset(BaseModel):
    plan_id: int
    batch_code: str
    amount: YuanFromFen


class StatementDirectSettlement(BaseModel):
    payment_id: int
    invoice_id: int | None
    amount: YuanFromFen


class StatementFund(BaseModel):
    """One fund's live payable of the month, split (SET-4/SET-5)."""

    fund: str
    payable_id: int
    version: int
    payable: YuanFromFen
    direct_settlements: YuanFromFen
    offsets: YuanFromFen
    net: YuanFromFen
    paid_on: date
    offset_lines: list[StatementOffset]
    direct_settlement_lines: list[StatementDirectSettlement]
    superseded_versions: list[int] = Field(description="ids of the earlier versions this one corrected")


class StatementTotals(BaseModel):
    payable: YuanFromFen
    direct_settlements: YuanFromFen
    offsets: YuanFromFen
    net: YuanFromFen


class Statement(BaseModel):
    """医保基金月度结算单: a hospital's month — payables, what was taken from them, the net."""

    hospital_code: str
    hospital_name: str | None = Field(default=None, description="the registered name of `hospital_code`")
    month: str
    funds: list[StatementFund]
    totals: StatementTotals
    refunds_demanded: list[dict] = Field(description="refund demands made in the month (SET-4)")
    prepayment_outstanding: YuanFromFen = Field(description="the ledger balance of the hospital's prepayment, now")
    refund_due: YuanFromFen = Field(description="refund demanded and not yet received, now")
    explain: dict

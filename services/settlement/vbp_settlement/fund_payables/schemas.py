from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from vbpkit.domain.money import AMOUNT_MAX_FEN, NonNegativeYuan, YuanFromFen
from vbpkit.web.bulk_rows import ROW_NUMBER


MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
Fund = Literal["employee", "resident"]


def first_of(month: str) -> date:
    year, number = month.split("-")
    return date(int(year), int(number), 1)


class PayableRow(BaseModel):
    """One hospital's monthly payable from one fund, as the insurance core system computed it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    hospital_code: str = Field(min_length=1, max_length=64)
    fund: Fund = Field(description="employee (职工医保) | resident (居民医保)")
    month: str = Field(pattern=MONTH_PATTERN, description="the settlement month, YYYY-MM")
    amount: NonNegativeYuan = Field(le=AMOUNT_MAX_FEN, description="what the fund owes the hospital for the month")
    paid_on: date = Field(description="the day the fund paid the hospital the net (及时拨付)")

    @field_validator("month")
    @classmethod
    def _sane_year(cls, value: str) -> str:
        if not 2000 <= int(value[:4]) <= 2100:
            raise ValueError("a settlement month between 2000-01 and 2100-12")
        return value


class PayablePost(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rows: list[PayableRow] = Field(min_length=1, max_length=10_000, description="≤ 10,000 rows")


class OffsetRead(BaseModel):
    plan_id: int
    batch_code: str
    amount: YuanFromFen
    explain: dict[str, Any]


class DeductionRead(BaseModel):
    payment_id: int
    amount: YuanFromFen


class PayableRead(BaseModel):
    id: int
    hospital_code: str
    fund: str
    month: str
    version: int
    status: str = Field(description="live | superseded (a corrected version replaced it)")
    amount: YuanFromFen
    direct_settlements: YuanFromFen
    offset: YuanFromFen
    net: YuanFromFen = Field(description="what the fund paid the hospital: amount − direct settlements − offsets")
    paid_on: date
    superseded_by_id: int | None
    ledger_transaction_id: int | None
    reversal_transaction_id: int | None
    offsets: list[OffsetRead]
    deductions: list[DeductionRead]
    explain: dict[str, Any]
    posted_by: str
    posted_at: datetime | None = None


class RowResult(BaseModel):
    row: int = Field(ge=1, description=ROW_NUMBER)
    status: Literal["posted", "corrected", "unchanged", "rejected"]
    hospital_code: str
    fund: str
    month: str
    payable_id: int | None = None
    corrects_payable_id: int | None = None
    amount: YuanFromFen | None = None
    direct_settlements: YuanFromFen | None = None
    offset: YuanFromFen | None = None
    net: YuanFromFen | None = None
    offsets: list[OffsetRead] = []
    errors: list[dict[str, str]] = Field(default=[], description="why the row was refused, each naming its field")


class PostResult(BaseModel):
    received: int
    posted: int
    corrected: int
    unchanged: int
    rejected: int
    rows: list[RowResult]


class PayablePage(BaseModel):
    items: list[PayableRead]
    next_cursor: int | None = Field(default=None, description="pass as `cursor` for the next page")

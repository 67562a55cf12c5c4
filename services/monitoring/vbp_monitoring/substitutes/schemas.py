from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from vbpkit.db.limits import INTEGER_MAX
from vbpkit.domain.money import AMOUNT_MAX_FEN, NonNegativeYuan

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class NonWinningRow(BaseModel):
    """One month's purchases of one non-winning product of a group by one hospital. The group
    is named with its batch: a group (组别) lives inside a batch (CAT-2)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    hospital_code: str = Field(min_length=1, max_length=64)
    batch_code: str = Field(min_length=1, max_length=64)
    group_code: str = Field(min_length=1, max_length=64)
    product: str = Field(min_length=1, max_length=200)
    month: str = Field(pattern=MONTH_PATTERN)
    quantity: int = Field(ge=0, le=INTEGER_MAX)
    amount: NonNegativeYuan = Field(le=AMOUNT_MAX_FEN)


class NonWinningPush(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rows: list[NonWinningRow] = Field(min_length=1, max_length=10_000, description="≤ 10,000 rows")


class PushResult(BaseModel):
    received: int
    stored: int
    errors: list[dict[str, Any]]


class ShareRow(BaseModel):
    hospital_code: str
    batch_code: str
    group_code: str
    month: str
    winning_quantity: int
    non_winning_quantity: int
    share: str = Field(description="non-winning ÷ all purchases of the group, 4 places")
    previous_share: str | None
    alert: bool
    explain: dict[str, Any]


class SharePage(BaseModel):
    items: list[ShareRow]

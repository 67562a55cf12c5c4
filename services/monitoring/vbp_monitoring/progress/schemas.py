from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field
from vbpkit.domain.money import YuanFromFen


class ProgressRow(BaseModel):
    """One item's (or one roll-up's) progress as of a date (MON-1)."""

    key: dict[str, Any] = Field(description="what the row is: the item, or the hospital/company/batch/region")
    agreed_quantity: int
    assessed_quantity: int = Field(description="agreed, pro rata to an early end of the batch")
    accepted_quantity: int = Field(description="accepted to as_of, net of returns")
    agreed_amount: YuanFromFen
    assessed_amount: YuanFromFen
    accepted_amount: YuanFromFen
    completion: str = Field(description="accepted amount ÷ assessed agreed amount, 4 places")
    target: str = Field(description="序时进度: elapsed days ÷ days in the agreement year, 4 places")
    tolerance_points: int
    behind: bool
    explain: dict[str, Any]

    @classmethod
    def of(cls, line) -> ProgressRow:
        return cls(key=line.key, agreed_quantity=line.agreed_quantity, assessed_quantity=line.assessed_quantity,
                   accepted_quantity=line.accepted_quantity, agreed_amount=line.agreed_fen,
                   assessed_amount=line.assessed_fen, accepted_amount=line.accepted_fen,
                   completion=str(line.completion), target=str(line.target), tolerance_points=line.tolerance_points,
                   behind=line.behind, explain=line.explain)


class ProgressPage(BaseModel):
    as_of: date
    group_by: str
    items: list[ProgressRow]
    next_cursor: int | None = Field(default=None, description="pass as `cursor` for the next page")

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from vbpkit.domain.money import AMOUNT_MAX_FEN, NonNegativeYuan, YuanFromFen

Category = Literal["甲类", "乙类"]


class StandardSet(BaseModel):
    """The insurer's setting of one product's standard (CAT-11)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    amount: NonNegativeYuan | None = Field(default=None, le=AMOUNT_MAX_FEN,
                                           description="a fixed amount: pins the standard (price changes leave it)")
    follow_policy: bool = Field(default=False, description="hand the standard back to the batch policy's rule")
    category: Category | None = None
    in_catalogue: bool | None = None
    excluded_content: bool | None = Field(default=None, description="除外内容")
    effective_from: date | None = Field(default=None, description="default: today")
    reason: str = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _one_way(self) -> StandardSet:
        if self.follow_policy and self.amount is not None:
            raise ValueError("give an amount or follow_policy, not both")
        return self


class StandardRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    effective_from: date
    rule: str = Field(description="winning_price | listing_price | fixed | frozen")
    amount_fen: YuanFromFen | None = Field(serialization_alias="amount")
    category: str | None
    in_catalogue: bool
    excluded_content: bool
    pinned: bool
    reason: str
    set_by: str
    created_at: datetime | None = None


class StandardRead(BaseModel):
    product_id: int
    batch_code: str
    on: date
    standard: StandardRow | None
    effective_to: date | None = Field(description="the day before the next standard, if one follows")
    history: list[StandardRow]
    explain: dict[str, Any]

    @classmethod
    def of(cls, found: dict) -> StandardRead:
        return cls(**{**found, "standard": found["standard"] and StandardRow.model_validate(found["standard"]),
                      "history": [StandardRow.model_validate(r) for r in found["history"]]})


class TableRow(BaseModel):
    product_id: int
    batch_code: str
    insurance_code: str | None = Field(description="国家医保药品/医用耗材代码 (CAT-11)")
    registration_no: str
    name: str
    spec: str
    company: str
    winning: bool
    category: str | None
    standard: YuanFromFen | None
    rule: str
    in_catalogue: bool
    excluded_content: bool
    effective_from: date
    effective_to: date | None


class Table(BaseModel):
    on: date
    items: list[TableRow]

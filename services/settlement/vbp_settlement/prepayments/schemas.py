from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from vbpkit.db.limits import INTEGER_MAX
from vbpkit.domain.money import AMOUNT_MAX_FEN, NonNegativeYuan, YuanFromFen


class TrancheRead(BaseModel):
    number: int
    kind: str = Field(description="scheduled (the policy's tranche) | top_up (added when the plan grew, SET-3)")
    amount: YuanFromFen
    disbursed: YuanFromFen = Field(description="Σ of its disbursements, read from the ledger (SET-6)")
    undisbursed: YuanFromFen
    due_on: date
    late_on: date | None
    explain: dict[str, Any]


class PlanRead(BaseModel):
    id: int
    batch_code: str
    hospital_code: str
    prepaid_year: int
    fund: str
    base: YuanFromFen
    computed_total: YuanFromFen
    total: YuanFromFen
    disbursed: YuanFromFen
    offset: YuanFromFen = Field(description="taken back from the hospital's live monthly fund payables (SET-4)")
    refunded: YuanFromFen = Field(description="demanded back as a refund once the plan's refund month began")
    outstanding: YuanFromFen = Field(description="disbursed − offset − refunded: what the hospital still holds")
    tranches: list[TrancheRead]
    explain: dict[str, Any]

    @classmethod
    def of(cls, plan, tranches: list[tuple[Any, int]], recovered: tuple[int, int]) -> PlanRead:
        disbursed = sum(d for _, d in tranches)
        offset, refunded = recovered
        return cls(id=plan.id, batch_code=plan.batch_code, hospital_code=plan.hospital_code,
                   prepaid_year=plan.prepaid_year, fund=plan.fund, base=plan.base_fen,
                   computed_total=plan.computed_total_fen, total=plan.total_fen, disbursed=disbursed,
                   offset=offset, refunded=refunded, outstanding=disbursed - offset - refunded,
                   tranches=[TrancheRead(number=t.number, kind=t.kind, amount=t.amount_fen, disbursed=d,
                                         undisbursed=t.amount_fen - d, due_on=t.due_on, late_on=t.late_on,
                                         explain=t.explain) for t, d in tranches],
                   explain=plan.explain)


class PlanPage(BaseModel):
    items: list[PlanRead]
    next_cursor: int | None = Field(default=None, description="pass as `cursor` for the next page")


class TotalSet(BaseModel):
    """SET-3 (seeds 000/002): the monitoring centre's figure and why it replaces the computed total."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    total: NonNegativeYuan = Field(le=AMOUNT_MAX_FEN)
    reason: str = Field(min_length=1, max_length=1000)


class DisbursementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tranche: int = Field(ge=1, le=INTEGER_MAX)
    amount: NonNegativeYuan = Field(description="more than zero, at most what is left of the tranche")
    disbursed_on: date


class DisbursementRead(BaseModel):
    id: int
    plan_id: int
    tranche: int
    amount: YuanFromFen
    disbursed_on: date
    ledger_transaction_id: int
    reverses_id: int | None = Field(default=None, description="set on a reversal: the disbursement it reverses (SET-6)")
    reason: str | None = None
    recorded_by: str
    recorded_at: datetime
    plan_disbursed: YuanFromFen | None = None


class DisbursementReversal(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=1000)


class DisbursementPage(BaseModel):
    items: list[DisbursementRead]


class LateCheck(BaseModel):
    checked_on: date
    tranches_late: list[int] = Field(description="the tranches this run found undisbursed after their due date")

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from vbpkit.db.limits import BIGINT_MAX
from vbpkit.domain.money import NonNegativeYuan, YuanFromFen


class PaymentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    invoice_id: int = Field(ge=1, le=BIGINT_MAX)
    amount: NonNegativeYuan = Field(description="more than zero, at most the invoice's unpaid balance")
    paid_on: date
    reference: str | None = Field(default=None, min_length=1, max_length=100)


class PaymentReversalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=500, description="why the payment was recorded in error")


class ReversalFacts(BaseModel):
    id: int
    reason: str
    reversed_on: date
    transaction_id: int = Field(description="the ledger transaction that moved the money back (SET-6)")
    recorded_at: datetime


class PaymentRead(BaseModel):
    id: int
    invoice_id: int
    hospital_code: str
    amount: YuanFromFen
    paid_on: date
    reference: str | None
    source: Literal["hospital", "fund"] = Field(
        description="who paid: the hospital (SET-2), or the fund on its behalf where it settles directly (SET-5)")
    fund: Literal["employee", "resident"] | None = Field(description="the fund that paid, for a fund payment")
    transaction_id: int | None = Field(description="the ledger transaction that paid the company (SET-6)")
    recorded_at: datetime
    reversal: ReversalFacts | None = Field(default=None, description="set once the hospital reversed it (SET-2)")
    invoice_unpaid: YuanFromFen | None = Field(default=None, description="what the invoice still owes after it")


class PaymentReversalRead(BaseModel):
    id: int
    payment_id: int
    invoice_id: int
    amount: YuanFromFen = Field(description="the payment's amount, owed again")
    reason: str
    reversed_on: date
    transaction_id: int
    recorded_at: datetime
    invoice_unpaid: YuanFromFen = Field(description="what the invoice owes after the reversal")


class PaymentPage(BaseModel):
    items: list[PaymentRead]


class OverdueCheck(BaseModel):
    checked_on: date
    invoices_overdue: list[int] = Field(description="the invoices found unpaid after their due date by this run")

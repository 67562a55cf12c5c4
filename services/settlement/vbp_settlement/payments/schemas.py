from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field
from vbpkit.money import NonNegativeYuan, YuanFromFen

from vbp_settlement.models import BIGINT_MAX


class PaymentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    invoice_id: int = Field(ge=1, le=BIGINT_MAX)
    amount: NonNegativeYuan = Field(description="more than zero, at most the invoice's unpaid balance")
    paid_on: date
    reference: str | None = Field(default=None, min_length=1, max_length=100)


class PaymentRead(BaseModel):
    id: int
    invoice_id: int
    hospital_code: str
    amount: YuanFromFen
    paid_on: date
    reference: str | None
    recorded_at: datetime
    invoice_unpaid: YuanFromFen | None = Field(default=None, description="what the invoice still owes after it")


class PaymentPage(BaseModel):
    items: list[PaymentRead]


class OverdueCheck(BaseModel):
    checked_on: date
    invoices_overdue: list[int] = Field(description="the invoices found unpaid after their due date by this run")

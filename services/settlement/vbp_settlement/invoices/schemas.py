from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from vbpkit.db.limits import BIGINT_MAX, INTEGER_MAX
from vbpkit.web.bulk_rows import MAX_BULK_ROWS, ROW_NUMBER
from vbpkit.domain.money import NonNegativeYuan, YuanFromFen
from vbpkit.web.problems import invalid_field


class InvoiceLineCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delivery_id: int = Field(ge=1, le=BIGINT_MAX)
    line_no: int = Field(ge=1, le=INTEGER_MAX, description="the accepted delivery line billed")
    quantity: int = Field(ge=1, le=INTEGER_MAX, description="how much of it this invoice bills")


class InvoiceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    number: str = Field(min_length=1, max_length=64, description="发票号码, unique per company")
    amount: NonNegativeYuan = Field(description="must equal the lines' quantity × unit price")
    lines: list[InvoiceLineCreate] = Field(min_length=1, max_length=500)


class BulkInvoices(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invoices: list[dict] = Field(min_length=1, max_length=MAX_BULK_ROWS, description=(
        "≤ 10,000 invoices, each an InvoiceCreate; each is checked alone and a bad one refused with its errors"))


class BulkInvoiceRow(BaseModel):
    row: int = Field(ge=1, description=ROW_NUMBER)
    status: Literal["submitted", "rejected"]
    invoice_id: int | None
    number: str | None
    errors: list[dict] = Field(description="why a rejected row was refused, each naming its field within the "
                                           "invoice (`lines[0].quantity`)")


class BulkInvoiceResult(BaseModel):
    received: int
    submitted: int
    rejected: int
    rows: list[BulkInvoiceRow]


class InvoiceDecision(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Literal["accept", "reject"]
    reason: str | None = Field(default=None, min_length=1, max_length=500, description="required to reject")

    @model_validator(mode="after")
    def _reject_says_why(self) -> "InvoiceDecision":
        if self.decision == "reject" and not self.reason:
            raise invalid_field("reason", "a rejection needs a reason (SET-1)")
        return self


class InvoiceReversal(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=500, description="why it is reversed (红冲)")


class InvoiceLineRead(BaseModel):
    delivery_id: int
    line_no: int
    product_id: int
    batch_code: str
    quantity: int
    unit_price: YuanFromFen
    amount: YuanFromFen
    accepted_on: date
    due_on: date


class InvoiceRead(BaseModel):
    id: int
    number: str
    company_code: str
    hospital_code: str
    amount: YuanFromFen
    paid: YuanFromFen
    unpaid: YuanFromFen
    status: str
    submitted_on: date
    submitted_at: datetime
    due_on: date
    overdue_on: date | None
    decided_on: date | None
    rejection_reason: str | None
    reversed_on: date | None
    reversal_reason: str | None
    explain: dict[str, Any] = Field(description="SET-1: each line's due-date rule and inputs, and the earliest")
    lines: list[InvoiceLineRead]

    @classmethod
    def of(cls, view) -> "InvoiceRead":
        """From an ``invoices.service.InvoiceView``."""
        invoice = view.invoice
        return cls(
            id=invoice.id, number=invoice.number, company_code=invoice.company_code,
            hospital_code=invoice.hospital_code, amount=invoice.amount_fen, paid=view.paid_fen,
            unpaid=invoice.amount_fen - view.paid_fen, status=invoice.status, submitted_on=invoice.submitted_on,
            submitted_at=invoice.submitted_at, due_on=invoice.due_on, overdue_on=invoice.overdue_on,
            decided_on=invoice.decided_on, rejection_reason=invoice.rejection_reason,
            reversed_on=invoice.reversed_on, reversal_reason=invoice.reversal_reason, explain=invoice.due_explain,
            lines=[InvoiceLineRead(delivery_id=l.delivery_id, line_no=l.delivery_line_no, product_id=l.product_id,
                                   batch_code=l.batch_code, quantity=l.quantity, unit_price=l.unit_price_fen,
                                   amount=l.amount_fen, accepted_on=l.accepted_on, due_on=l.due_on)
                   for l in view.lines],
        )


class InvoiceSummary(BaseModel):
    id: int
    number: str
    company_code: str
    hospital_code: str
    amount: YuanFromFen
    status: str
    due_on: date
    overdue_on: date | None

    @classmethod
    def of(cls, row) -> "InvoiceSummary":
        """From an ``invoices.models.Invoice``."""
        return cls(id=row.id, number=row.number, company_code=row.company_code, hospital_code=row.hospital_code,
                   amount=row.amount_fen, status=row.status, due_on=row.due_on, overdue_on=row.overdue_on)


class InvoicePage(BaseModel):
    items: list[InvoiceSummary]
    next_cursor: int | None = Field(description="pass as `cursor` for the next (older) page; null on the last")

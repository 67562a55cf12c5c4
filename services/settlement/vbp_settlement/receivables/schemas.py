from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field
from vbpkit.domain.money import YuanFromFen

Bucket = Literal["not_due", "overdue_1_30", "overdue_31_60", "overdue_61_90", "overdue_over_90"]


class Tally(BaseModel):
    amount: YuanFromFen = Field(description="Σ unpaid of the invoices counted")
    count: int


class Buckets(BaseModel):
    """SET-2 ageing by days overdue = as_of − due_on."""

    not_due: Tally = Field(description="≤ 0 days overdue")
    overdue_1_30: Tally
    overdue_31_60: Tally
    overdue_61_90: Tally
    overdue_over_90: Tally = Field(description="more than 90 days overdue")


class HospitalReceivables(BaseModel):
    hospital_code: str
    buckets: Buckets
    total: Tally


class ReceivableInvoice(BaseModel):
    id: int
    number: str
    hospital_code: str
    status: Literal["submitted", "accepted"]
    amount: YuanFromFen
    paid: YuanFromFen = Field(description="Σ payments − Σ reversals")
    unpaid: YuanFromFen
    due_on: date
    days_overdue: int = Field(description="as_of − due_on; ≤ 0 is not yet due")
    bucket: Bucket


class LedgerReconciliation(BaseModel):
    account: str
    balance: YuanFromFen = Field(description="the ledger receivable's balance now (SET-6)")
    accepted_unpaid: YuanFromFen = Field(description="Σ unpaid of the accepted invoices counted: equals the balance")
    submitted_unpaid: YuanFromFen = Field(description="Σ unpaid of submitted invoices, not yet in the ledger")
    reconciles: bool


class ReceivablesRead(BaseModel):
    company_code: str
    as_of: date
    buckets: Buckets
    total: Tally
    hospitals: list[HospitalReceivables] = Field(description="the same ageing per hospital billed")
    invoices: list[ReceivableInvoice] = Field(description="oldest due first")
    ledger: LedgerReconciliation
    explain: dict[str, Any]

"""Events produced by the settlement service (topic ``vbp.settlement``). Money is int fen.

Keyed by the invoice's hospital, as contracts keys supply by hospital: one hospital's
invoices and payments reach a consumer in the order they happened.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from vbpkit.events.envelope import Event, event_schema


class InvoicedLineFacts(BaseModel):
    """One accepted delivery line an invoice bills, with its SET-1 due date."""

    delivery_id: int
    line_no: int
    product_id: int
    batch_code: str
    quantity: int = Field(gt=0)
    unit_price_fen: int
    amount_fen: int
    accepted_on: date
    due_on: date


@event_schema
class InvoiceSubmitted(Event):
    """SET-1: a company (the lines' distributor) billed a hospital for accepted deliveries."""

    type = "settlement.invoice.submitted"
    version = 1

    invoice_id: int
    number: str
    company_code: str
    hospital_code: str
    amount_fen: int
    submitted_on: date
    due_on: date
    lines: list[InvoicedLineFacts]


@event_schema
class InvoiceAccepted(Event):
    """SET-1: the hospital accepted the invoice; it is payable by ``due_on`` (SET-2)."""

    type = "settlement.invoice.accepted"
    version = 1

    invoice_id: int
    number: str
    company_code: str
    hospital_code: str
    amount_fen: int
    accepted_on: date
    due_on: date


@event_schema
class InvoiceRejected(Event):
    """SET-1: the hospital refused the invoice, with its reason; its lines are free again."""

    type = "settlement.invoice.rejected"
    version = 1

    invoice_id: int
    number: str
    company_code: str
    hospital_code: str
    amount_fen: int
    rejected_on: date
    reason: str


@event_schema
class InvoiceReversed(Event):
    """SET-1 红冲: the company reversed the invoice; it stops counting and its lines are free
    for a replacement."""

    type = "settlement.invoice.reversed"
    version = 1

    invoice_id: int
    number: str
    company_code: str
    hospital_code: str
    amount_fen: int
    reversed_on: date
    reason: str


@event_schema
class InvoiceOverdue(Event):
    """SET-2: the invoice was still unpaid after its due date; raised once per invoice."""

    type = "settlement.invoice.overdue"
    version = 1

    invoice_id: int
    number: str
    company_code: str
    hospital_code: str
    amount_fen: int
    unpaid_fen: int
    due_on: date
    overdue_on: date


@event_schema
class PaymentRecorded(Event):
    """SET-2 回款: the hospital paid (part of) an invoice; ``unpaid_fen`` is what remains."""

    type = "settlement.payment.recorded"
    version = 1

    payment_id: int
    invoice_id: int
    number: str
    company_code: str
    hospital_code: str
    amount_fen: int
    paid_on: date
    unpaid_fen: int


@event_schema
class PaymentRecordedV2(Event):
    """SET-2 回款 or SET-5 direct settlement: (part of) an invoice was paid to the company —
    by the hospital (``source`` "hospital") or, where the hospital settles directly, by the
    insurance ``fund`` on its behalf (``source`` "fund", the whole invoice at acceptance).

    Version 2 of ``settlement.payment.recorded``: v1's facts plus who paid and the ledger
    transaction that moved the money (SET-6). v1 stays registered as published; every v1
    payment was the hospital's, so a consumer reads a v1 event as ``source`` "hospital"."""

    type = "settlement.payment.recorded"
    version = 2

    payment_id: int
    invoice_id: int
    number: str
    company_code: str
    hospital_code: str
    amount_fen: int
    paid_on: date
    unpaid_fen: int
    source: Literal["hospital", "fund"]
    fund: Literal["employee", "resident"] | None
    ledger_transaction_id: int


@event_schema
class PaymentReversed(Event):
    """SET-2: a payment the hospital recorded in error was taken back; the invoice owes
    ``amount_fen`` again (``unpaid_fen`` after it) and the ledger moved it back from the
    company's received to its receivable (SET-6). A payment is reversed at most once."""

    type = "settlement.payment.reversed"
    version = 1

    reversal_id: int
    payment_id: int
    invoice_id: int
    number: str
    company_code: str
    hospital_code: str
    amount_fen: int
    reversed_on: date
    reason: str
    unpaid_fen: int
    ledger_transaction_id: int


class PlannedTrancheFacts(BaseModel):
    number: int
    kind: str
    amount_fen: int
    due_on: date


@event_schema
class PrepaymentPlanned(Event):
    """SET-3: a prepayment plan was created or changed (an agreement took effect or was
    superseded, or the insurer set the total); the plan as it now stands. Keyed by hospital."""

    type = "settlement.prepayment.planned"
    version = 1

    plan_id: int
    batch_code: str
    hospital_code: str
    prepaid_year: int
    fund: str
    base_fen: int
    computed_total_fen: int
    total_fen: int
    tranches: list[PlannedTrancheFacts]


@event_schema
class PrepaymentDisbursed(Event):
    """SET-3: the insurer disbursed (part of) a tranche from the fund to the hospital."""

    type = "settlement.prepayment.disbursed"
    version = 1

    plan_id: int
    disbursement_id: int
    ledger_transaction_id: int
    batch_code: str
    hospital_code: str
    fund: str
    tranche: int
    amount_fen: int
    disbursed_on: date
    plan_disbursed_fen: int


@event_schema
class PrepaymentLate(Event):
    """SET-3: a tranche was not fully disbursed by its due date; raised once per tranche."""

    type = "settlement.prepayment.late"
    version = 1

    plan_id: int
    batch_code: str
    hospital_code: str
    fund: str
    tranche: int
    amount_fen: int
    undisbursed_fen: int
    due_on: date
    late_on: date


@event_schema
class PrepaymentDisbursementReversed(Event):
    """SET-6: a disbursement recorded in error went back to the fund (a new ledger movement,
    the original stays in the history); ``plan_disbursed_fen`` is what the plan has now."""

    type = "settlement.prepayment.disbursement_reversed"
    version = 1

    plan_id: int
    disbursement_id: int
    reverses_disbursement_id: int
    ledger_transaction_id: int
    batch_code: str
    hospital_code: str
    fund: str
    tranche: int
    amount_fen: int
    reversed_on: date
    reason: str
    plan_disbursed_fen: int


class OffsetFacts(BaseModel):
    """One plan's prepayment offset inside a monthly fund payable (SET-4)."""

    plan_id: int
    batch_code: str
    amount_fen: int = Field(gt=0)
    outstanding_after_fen: int = Field(ge=0)


class DeductionFacts(BaseModel):
    """One direct settlement (SET-5) taken back from a monthly fund payable."""

    payment_id: int
    invoice_id: int
    amount_fen: int = Field(gt=0)


@event_schema
class OffsetApplied(Event):
    """SET-4 抵扣: a hospital's monthly fund payable was posted (or a corrected version of it)
    and split — direct settlements (SET-5) taken back first, then prepayment offsets (none
    before the policy's first offset month), and ``net_fen`` paid to the hospital on
    ``paid_on``. One event per payable version: monitoring learns the fund's own timeliness
    (及时拨付) from ``paid_on`` against ``month``, and the recovery of prepayments from
    ``offsets``. A correction names the version it superseded and what that version had
    offset and deducted (reversed in the ledger)."""

    type = "settlement.offset.applied"
    version = 1

    payable_id: int
    hospital_code: str
    fund: str
    month: date = Field(description="the first day of the settlement month")
    version_no: int
    corrects_payable_id: int | None = Field(default=None, description="the version this one corrected (superseded)")
    reversed_offset_fen: int = Field(default=0, description="what the corrected version had offset, given back")
    reversed_direct_settlements_fen: int = Field(default=0, description="… and had deducted, given back")
    amount_fen: int
    direct_settlements_fen: int
    offset_fen: int
    net_fen: int
    paid_on: date
    deductions: list[DeductionFacts]
    offsets: list[OffsetFacts]


@event_schema
class RefundDemanded(Event):
    """SET-4 退回: a plan's prepayment still outstanding when its offset window closed is
    demanded back from the hospital, once (seeds 000/002)."""

    type = "settlement.refund.demanded"
    version = 1

    refund_id: int
    plan_id: int
    batch_code: str
    hospital_code: str
    fund: str
    amount_fen: int = Field(gt=0)
    demanded_on: date
    offsets_began: date
    window_closed: date


@event_schema
class RefundReceived(Event):
    """SET-4: (part of) a demanded refund came back to the fund."""

    type = "settlement.refund.received"
    version = 1

    refund_id: int
    receipt_id: int
    hospital_code: str
    fund: str
    amount_fen: int = Field(gt=0)
    received_on: date
    still_due_fen: int = Field(ge=0)

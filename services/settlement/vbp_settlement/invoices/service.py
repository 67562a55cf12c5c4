"""SET-1 invoices: submit against accepted delivery lines, accept or reject, reverse (红冲).

A line may bill at most what was accepted, minus what was returned, minus what the other
live invoices already bill for it; a rejected or reversed invoice bills nothing, so its
lines are free for a replacement. The lines are locked while the limit is checked, so two
invoices of the same line cannot both pass it.

Due dates come from the batch's typed policy (vbpkit.policy.supplier_payment_due): each
line from its acceptance date, the invoice on the earliest of them; ``explain`` keeps
every line's rule and inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit import outbox
from vbpkit.events.settlement import (
    InvoiceAccepted,
    InvoicedLineFacts,
    InvoiceRejected,
    InvoiceReversed,
    InvoiceSubmitted,
)
from vbpkit.identity import Principal, Role
from vbpkit.money import format_yuan
from vbpkit.policy import supplier_payment_due
from vbpkit.pagination import cut
from vbpkit.problems import Problem
from vbpkit.projections.catalog_view import repository as catalog

from vbp_settlement.deliveries import repository as deliveries
from vbp_settlement.invoices import repository
from vbp_settlement.invoices.models import LIVE_STATUSES, Invoice, InvoiceLine
from vbp_settlement.invoices.schemas import InvoiceCreate, InvoiceDecision, InvoiceReversal
from vbp_settlement.parties import may_see, not_found
from vbp_settlement.payments import repository as payments


@dataclass(frozen=True)
class InvoiceView:
    """An invoice as its parties read it: its lines and what has been paid (SET-2)."""

    invoice: Invoice
    lines: list[InvoiceLine]
    paid_fen: int


async def view_of(session: AsyncSession, invoice: Invoice) -> InvoiceView:
    paid = (await payments.paid_fen(session, [invoice.id])).get(invoice.id, 0)
    return InvoiceView(invoice=invoice, lines=await repository.lines_of(session, invoice.id), paid_fen=paid)


async def visible(session: AsyncSession, invoice_id: int, principal: Principal, *, for_update: bool = False) -> Invoice:
    """GW-5: an invoice the caller is not party to is as missing as one that does not exist."""
    invoice = await repository.invoice_or_404(session, invoice_id=invoice_id, for_update=for_update)
    if not may_see(principal, hospital=invoice.hospital_code, company=invoice.company_code):
        raise not_found(f"invoice {invoice_id}")
    return invoice


async def read(session: AsyncSession, *, invoice_id: int, principal: Principal) -> InvoiceView:
    return await view_of(session, await visible(session, invoice_id, principal))


async def list_invoices(session: AsyncSession, *, principal: Principal, status: str | None,
                        cursor: int | None, limit: int) -> tuple[list[Invoice], int | None]:
    """GW-5: a hospital lists what was billed to it, a company what it billed; overseers all.
    Newest first, a page at a time (DESIGN §5); returns the page and the next cursor."""
    hospital = principal.tenant if principal.role is Role.HOSPITAL else None
    company = principal.tenant if principal.role is Role.COMPANY else None
    if principal.role in (Role.HOSPITAL, Role.COMPANY) and not principal.tenant:
        return [], None
    rows = await repository.listing(session, hospital_code=hospital, company_code=company, status=status,
                                    before_id=cursor, limit=limit + 1)
    return cut(rows, limit, lambda invoice: invoice.id)


def _number_used(number: str) -> Problem:
    return Problem(409, detail=f"you already submitted invoice number {number} (SET-1: unique per company)",
                   errors=[{"field": "body.number", "reason": "already used by you"}])


def _refused(detail: str, errors: list[dict]) -> Problem:
    return Problem(422, detail=f"{detail}; nothing was recorded", errors=errors)


async def submit(session: AsyncSession, request: InvoiceCreate, *, company: str, by: str, today: date) -> InvoiceView:
    if await repository.by_number(session, company_code=company, number=request.number) is not None:
        raise _number_used(request.number)
    keys = [(l.delivery_id, l.line_no) for l in request.lines]
    accepted = await deliveries.lines_for_update(session, keys)
    invoiced = await repository.invoiced_quantities(session, keys)
    errors: list[dict] = []
    seen: set[tuple[int, int]] = set()
    hospital = None
    for index, line in enumerate(request.lines):
        key, field = (line.delivery_id, line.line_no), f"body.lines[{index}]"
        row = accepted.get(key)
        if key in seen:
            errors.append({"field": field, "reason": f"delivery {line.delivery_id} line {line.line_no} repeats"})
        elif row is None or row.biller_code != company:
            errors.append({"field": field, "reason": (
                f"delivery {line.delivery_id} line {line.line_no} is not an accepted line you deliver")})
        elif hospital is not None and row.hospital_code != hospital:
            errors.append({"field": field, "reason": f"billed to hospital {row.hospital_code}; one invoice, one hospital"})
        else:
            hospital = hospital or row.hospital_code
            most = row.accepted_quantity - row.returned_quantity - invoiced.get(key, 0)
            if line.quantity > most:
                errors.append({"field": field + ".quantity", "reason": (
                    f"delivery {line.delivery_id} line {line.line_no} may bill at most {max(most, 0)}: accepted "
                    f"{row.accepted_quantity} − returned {row.returned_quantity} − on live invoices "
                    f"{invoiced.get(key, 0)} (SET-1)"), "max_quantity": max(most, 0)})
        seen.add(key)
    if errors:
        raise _refused("the invoice is refused", errors)
    total = sum(l.quantity * accepted[(l.delivery_id, l.line_no)].unit_price_fen for l in request.lines)
    if request.amount != total:
        raise _refused("the invoice is refused", [{"field": "body.amount", "reason": (
            f"{format_yuan(request.amount)} is not the lines' total {format_yuan(total)} (quantity × unit price)")}])
    batches = await catalog.batches_by_code(session, {accepted[k].batch_code for k in keys})
    dues, line_explains = [], []
    for line in request.lines:
        row = accepted[(line.delivery_id, line.line_no)]
        batch = batches.get(row.batch_code)
        if batch is None:
            raise Problem(422, detail=f"batch {row.batch_code} is not known to settlement yet; try again shortly",
                          errors=[{"field": "body.lines", "reason": f"batch {row.batch_code} unknown"}])
        due = supplier_payment_due(batch.policy, row.accepted_on)
        dues.append(due.value)
        line_explains.append({"delivery_id": row.delivery_id, "line_no": row.line_no, "batch_code": row.batch_code,
                              **due.explain})
    due_on = min(dues)
    invoice = Invoice(number=request.number, company_code=company, hospital_code=hospital, amount_fen=total,
                      status="submitted", submitted_on=today, submitted_by=by, due_on=due_on, due_explain={
                          "rule": "SET-1", "invoice_due": "the earliest due date of the lines it bills",
                          "due_on": due_on.isoformat(), "lines": line_explains})
    try:
        async with session.begin_nested():
            session.add(invoice)
            await session.flush()
    except IntegrityError:  # the same number submitted concurrently: the unique key decided
        raise _number_used(request.number) from None
    facts = []
    for position, (line, due) in enumerate(zip(request.lines, dues), start=1):
        row = accepted[(line.delivery_id, line.line_no)]
        session.add(InvoiceLine(invoice_id=invoice.id, position=position, delivery_id=row.delivery_id,
                                delivery_line_no=row.line_no, product_id=row.product_id, batch_code=row.batch_code,
                                quantity=line.quantity, unit_price_fen=row.unit_price_fen,
                                amount_fen=line.quantity * row.unit_price_fen, accepted_on=row.accepted_on,
                                due_on=due))
        facts.append(InvoicedLineFacts(delivery_id=row.delivery_id, line_no=row.line_no, product_id=row.product_id,
                                       batch_code=row.batch_code, quantity=line.quantity,
                                       unit_price_fen=row.unit_price_fen, amount_fen=line.quantity * row.unit_price_fen,
                                       accepted_on=row.accepted_on, due_on=due))
    await session.flush()
    outbox.add(session, InvoiceSubmitted(
        invoice_id=invoice.id, number=invoice.number, company_code=company, hospital_code=hospital,
        amount_fen=total, submitted_on=today, due_on=due_on, lines=facts), key=hospital)
    return await view_of(session, invoice)


async def decide(session: AsyncSession, *, invoice_id: int, request: InvoiceDecision, principal: Principal,
                 today: date) -> InvoiceView:
    """SET-1: the hospital the invoice is addressed to accepts or rejects it, once."""
    invoice = await visible(session, invoice_id, principal, for_update=True)
    if invoice.hospital_code != principal.tenant:
        raise not_found(f"invoice {invoice_id}")
    if invoice.status != "submitted":
        raise Problem(409, detail=f"invoice {invoice_id} is {invoice.status}; only a submitted invoice is decided")
    invoice.decided_on, invoice.decided_by = today, principal.actor
    facts = dict(invoice_id=invoice.id, number=invoice.number, company_code=invoice.company_code,
                 hospital_code=invoice.hospital_code, amount_fen=invoice.amount_fen)
    if request.decision == "accept":
        invoice.status = "accepted"
        outbox.add(session, InvoiceAccepted(**facts, accepted_on=today, due_on=invoice.due_on),
                   key=invoice.hospital_code)
    else:
        invoice.status, invoice.rejection_reason = "rejected", request.reason
        outbox.add(session, InvoiceRejected(**facts, rejected_on=today, reason=request.reason),
                   key=invoice.hospital_code)
    await session.flush()
    return await view_of(session, invoice)


async def reverse(session: AsyncSession, *, invoice_id: int, request: InvoiceReversal, principal: Principal,
                  today: date) -> InvoiceView:
    """SET-1 红冲: the company that submitted a live invoice reverses it; it stops counting
    and frees its lines. A paid invoice is not reversed: its payments would be orphaned."""
    invoice = await visible(session, invoice_id, principal, for_update=True)
    if invoice.company_code != principal.tenant:
        raise not_found(f"invoice {invoice_id}")
    if invoice.status not in LIVE_STATUSES:
        raise Problem(409, detail=f"invoice {invoice_id} is {invoice.status}; only a live invoice is reversed")
    paid = (await payments.paid_fen(session, [invoice.id])).get(invoice.id, 0)
    if paid:
        raise Problem(409, detail=f"invoice {invoice_id} has {format_yuan(paid)} paid against it; it cannot be reversed")
    invoice.status, invoice.reversed_on = "reversed", today
    invoice.reversed_by, invoice.reversal_reason = principal.actor, request.reason
    outbox.add(session, InvoiceReversed(
        invoice_id=invoice.id, number=invoice.number, company_code=invoice.company_code,
        hospital_code=invoice.hospital_code, amount_fen=invoice.amount_fen, reversed_on=today,
        reason=request.reason), key=invoice.hospital_code)
    await session.flush()
    return await view_of(session, invoice)

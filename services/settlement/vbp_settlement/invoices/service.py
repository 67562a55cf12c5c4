"""SET-1 invoices: submit against accepted delivery lines (one, or up to 10,000 in a bulk
upload), accept or reject, reverse (红冲).

A line may bill at most what was accepted, minus what was returned, minus what the other
live invoices already bill for it; a rejected or reversed invoice bills nothing, so its
lines are free for a replacement. The lines are locked while the limit is checked, so two
invoices of the same line cannot both pass it.

Due dates come from the batch's typed policy (vbpkit.domain.policy.supplier_payment_due): each
line from its acceptance date, the invoice on the earliest of them; ``explain`` keeps
every line's rule and inputs.

Money moves only when the hospital accepts (it then owes the company) and when an accepted
invoice is reversed (it no longer does), on the SET-6 ledger; where the hospital settles
directly, the fund pays the invoice as it is accepted (SET-5, direct_settlement.service).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.messaging import outbox
from vbpkit.events.settlement import (
    InvoiceAccepted,
    InvoicedLineFacts,
    InvoiceRejected,
    InvoiceReversed,
    InvoiceSubmitted,
)
from vbpkit.web.identity import Principal, Role
from vbpkit.domain.money import format_yuan
from vbpkit.web.pagination import cut
from vbpkit.domain.policy import Explained, supplier_payment_due
from vbpkit.web.problems import Problem, error_location, plain_reason
from vbpkit.projections.catalog_view import repository as catalog
from vbpkit.projections.catalog_view.models import BatchView
from vbpkit.web.parties import may_see, not_found

from vbp_settlement.deliveries.service import BilledLine, billed_lines
from vbp_settlement.direct_settlement import service as direct_settlement
from vbp_settlement.invoices import repository
from vbp_settlement.invoices.models import LIVE_STATUSES, Invoice, InvoiceLine
from vbp_settlement.invoices.schemas import InvoiceCreate, InvoiceDecision, InvoiceReversal
from vbp_settlement.ledger import accounts
from vbp_settlement.ledger import service as ledger
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
    if not may_see(principal, hospital=invoice.hospital_code, companies=(invoice.company_code,)):
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


@dataclass
class _Billable:
    """What submitting invoices needs to know of the lines they name, read once for one
    invoice or a bulk upload of them (SET-1): the accepted lines, locked in key order; what
    live invoices already bill of each; the lines' batches; the numbers the company has used.
    ``invoiced`` and ``numbers`` grow as this request writes invoices, so two invoices of one
    upload can neither both bill the last of a line nor share a number."""

    accepted: dict[tuple[int, int], BilledLine]
    invoiced: dict[tuple[int, int], int]
    batches: dict[str, BatchView]
    numbers: set[str]


async def _billable(session: AsyncSession, *, company: str, requests: list[InvoiceCreate]) -> _Billable:
    keys = [(line.delivery_id, line.line_no) for request in requests for line in request.lines]
    numbers = await repository.numbers_used(session, company_code=company, numbers=[r.number for r in requests])
    accepted = await billed_lines(session, keys, for_update=True)
    return _Billable(accepted=accepted, invoiced=await repository.invoiced_quantities(session, keys),
                     batches=await catalog.batches_by_code(session, {row.line.batch_code for row in accepted.values()}),
                     numbers=numbers)


@dataclass(frozen=True)
class _Checked:
    hospital: str
    total_fen: int
    dues: list[Explained]


def _check(request: InvoiceCreate, billable: _Billable, *, company: str) -> _Checked:
    """SET-1: the invoice as submitted may be recorded, or a Problem naming each bad field."""
    if request.number in billable.numbers:
        raise _number_used(request.number)
    accepted, invoiced = billable.accepted, billable.invoiced
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
        elif hospital is not None and row.line.hospital_code != hospital:
            errors.append({"field": field, "reason": f"billed to hospital {row.line.hospital_code}; one invoice, one hospital"})
        else:
            hospital = hospital or row.line.hospital_code
            most = row.accepted_quantity - row.returned_quantity - invoiced.get(key, 0)
            if line.quantity > most:
                errors.append({"field": field + ".quantity", "reason": (
                    f"delivery {line.delivery_id} line {line.line_no} may bill at most {max(most, 0)}: accepted "
                    f"{row.accepted_quantity} − returned {row.returned_quantity} − on live invoices "
                    f"{invoiced.get(key, 0)} (SET-1)"), "max_quantity": max(most, 0)})
        seen.add(key)
    if errors:
        raise _refused("the invoice is refused", errors)
    total = sum(l.quantity * accepted[(l.delivery_id, l.line_no)].line.unit_price_fen for l in request.lines)
    if request.amount != total:
        raise _refused("the invoice is refused", [{"field": "body.amount", "reason": (
            f"{format_yuan(request.amount)} is not the lines' total {format_yuan(total)} (quantity × unit price)")}])
    dues = []
    for line in request.lines:
        row = accepted[(line.delivery_id, line.line_no)].line
        batch = billable.batches.get(row.batch_code)
        if batch is None:
            raise Problem(422, detail=f"batch {row.batch_code} is not known to settlement yet; try again shortly",
                          errors=[{"field": "body.lines", "reason": f"batch {row.batch_code} unknown"}])
        dues.append(supplier_payment_due(batch.policy, row.accepted_on))
    return _Checked(hospital=hospital, total_fen=total, dues=dues)


def _prepare(request: InvoiceCreate, checked: _Checked, billable: _Billable, *, company: str, by: str,
             today: date) -> tuple[dict, list[dict], list[InvoicedLineFacts]]:
    """A checked invoice's row, its lines' rows (without the invoice id) and their facts; the
    lines it bills count as invoiced for the rows checked after it."""
    accepted, due_on = billable.accepted, min(d.value for d in checked.dues)
    lines, facts = [], []
    for position, (line, due) in enumerate(zip(request.lines, checked.dues), start=1):
        row = accepted[(line.delivery_id, line.line_no)].line
        amount = line.quantity * row.unit_price_fen
        lines.append(dict(position=position, delivery_id=row.delivery_id, delivery_line_no=row.line_no,
                          product_id=row.product_id, batch_code=row.batch_code, quantity=line.quantity,
                          unit_price_fen=row.unit_price_fen, amount_fen=amount, accepted_on=row.accepted_on,
                          due_on=due.value))
        facts.append(InvoicedLineFacts(delivery_id=row.delivery_id, line_no=row.line_no, product_id=row.product_id,
                                       batch_code=row.batch_code, quantity=line.quantity,
                                       unit_price_fen=row.unit_price_fen, amount_fen=amount,
                                       accepted_on=row.accepted_on, due_on=due.value))
    explain = {"rule": "SET-1", "invoice_due": "the earliest due date of the lines it bills",
               "due_on": due_on.isoformat(), "lines": [
                   {"delivery_id": l.delivery_id, "line_no": l.line_no,
                    "batch_code": accepted[(l.delivery_id, l.line_no)].line.batch_code, **due.explain}
                   for l, due in zip(request.lines, checked.dues)]}
    billable.numbers.add(request.number)
    for line in request.lines:
        key = (line.delivery_id, line.line_no)
        billable.invoiced[key] = billable.invoiced.get(key, 0) + line.quantity
    values = dict(number=request.number, company_code=company, hospital_code=checked.hospital,
                  amount_fen=checked.total_fen, status="submitted", submitted_on=today, submitted_by=by,
                  due_on=due_on, due_explain=explain)
    return values, lines, facts


def _event(invoice_id: int, values: dict, facts: list[InvoicedLineFacts]) -> InvoiceSubmitted:
    return InvoiceSubmitted(invoice_id=invoice_id, number=values["number"], company_code=values["company_code"],
                            hospital_code=values["hospital_code"], amount_fen=values["amount_fen"],
                            submitted_on=values["submitted_on"], due_on=values["due_on"], lines=facts)


async def _record(session: AsyncSession, request: InvoiceCreate, checked: _Checked, billable: _Billable, *,
                  company: str, by: str, today: date) -> tuple[int, InvoiceSubmitted]:
    """Write one checked invoice and its lines in a savepoint; its id and its event, which the
    caller stages (``outbox.add``) in the same transaction. A number taken by a concurrent
    submit (the unique key decides) undoes only this invoice."""
    values, lines, facts = _prepare(request, checked, billable, company=company, by=by, today=today)
    try:
        async with session.begin_nested():
            invoice_id = await repository.insert_invoice(session, values)
            await repository.insert_lines(session, [{**line, "invoice_id": invoice_id} for line in lines])
    except IntegrityError:  # the same number submitted concurrently: the unique key decided
        raise _number_used(request.number) from None
    return invoice_id, _event(invoice_id, values, facts)


async def submit(session: AsyncSession, request: InvoiceCreate, *, company: str, by: str, today: date) -> InvoiceView:
    billable = await _billable(session, company=company, requests=[request])
    invoice_id, event = await _record(session, request, _check(request, billable, company=company), billable,
                                      company=company, by=by, today=today)
    outbox.add(session, event, key=event.hospital_code)
    return await view_of(session, await repository.invoice_or_404(session, invoice_id=invoice_id))


async def submit_bulk(session: AsyncSession, rows: list[dict], *, company: str, by: str, today: date) -> dict:
    """SET-1 bulk upload: each row is checked and recorded as one submitted invoice would be,
    and stands or falls alone — a refused row is reported with its errors and the good rows
    are kept. The lines of every row are read (and locked) once, every row is checked against
    what the rows before it bill, and the good rows are written together — a few statements
    for the whole upload, and one commit."""
    results: list[dict] = []
    parsed: list[tuple[int, InvoiceCreate]] = []
    for index, raw in enumerate(rows, start=1):  # rows numbered from 1 (the bulk convention)
        try:
            parsed.append((index, InvoiceCreate.model_validate(raw)))
        except ValidationError as exc:
            # §5: every error locates its field from the body's root (body.invoices.3.lines.0.quantity)
            results.append(_rejected(index, raw.get("number") if isinstance(raw, dict) else None, [
                {"field": error_location(e) or "row", "reason": plain_reason(e["msg"])} for e in exc.errors()]))
    billable = await _billable(session, company=company, requests=[r for _, r in parsed])
    prepared = []
    for index, request in parsed:
        try:
            checked = _check(request, billable, company=company)
        except Problem as problem:
            results.append(_rejected(index, request.number, [
                {**e, "field": e.get("field", "body").removeprefix("body").removeprefix(".") or "row"}
                for e in (problem.errors or [{"field": "body", "reason": problem.detail}])]))
            continue
        prepared.append((index, *_prepare(request, checked, billable, company=company, by=by, today=today)))
    # Every checked row at once: a few statements for the whole upload, not a savepoint a row.
    ids = await repository.insert_invoices(session, [values for _, values, _, _ in prepared])
    taken = [values["number"] for _, values, _, _ in prepared if values["number"] not in ids]
    if taken:  # numbers a concurrent submit took between the check and the insert: upload again
        raise Problem(409, detail=f"invoice numbers submitted meanwhile by another request: {', '.join(taken[:5])}; "
                                  "nothing of this upload was kept, send it again",
                      errors=[{"field": "body.invoices", "reason": f"{len(taken)} number(s) taken concurrently"}])
    await repository.insert_lines(session, [{**line, "invoice_id": ids[values["number"]]}
                                            for _, values, lines, _ in prepared for line in lines])
    for index, values, _, facts in prepared:
        invoice_id = ids[values["number"]]
        outbox.add(session, _event(invoice_id, values, facts), key=values["hospital_code"])
        results.append({"row": index, "status": "submitted", "invoice_id": invoice_id, "number": values["number"],
                        "errors": []})
    results.sort(key=lambda r: r["row"])
    submitted = sum(r["status"] == "submitted" for r in results)
    return {"received": len(rows), "submitted": submitted, "rejected": len(rows) - submitted, "rows": results}


def _rejected(index: int, number, errors: list[dict]) -> dict:
    return {"row": index, "status": "rejected", "invoice_id": None,
            "number": number if isinstance(number, str) else None, "errors": errors}


async def decide(session: AsyncSession, *, invoice_id: int, request: InvoiceDecision, principal: Principal,
                 today: date) -> InvoiceView:
    """SET-1: the hospital the invoice is addressed to accepts or rejects it, once. Accepted,
    the hospital owes it: ``hospital:<H>:purchases`` → ``company:<C>:receivable`` (SET-6);
    and where the hospital settles directly the fund pays it at once (SET-5)."""
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
        await ledger.move(
            session, cause_kind="request", cause_ref=ledger.request_cause(), recorded_by=principal.actor,
            description=f"SET-1 hospital {invoice.hospital_code} accepted invoice {invoice.number} (id {invoice.id})",
            postings=[ledger.Posting(accounts.hospital_purchases(invoice.hospital_code),
                                     accounts.company_receivable(invoice.company_code), invoice.amount_fen)])
        await direct_settlement.pay_on_acceptance(session, invoice=invoice,
                                                  lines=await repository.lines_of(session, invoice.id),
                                                  accepted_on=today)
    else:
        invoice.status, invoice.rejection_reason = "rejected", request.reason
        outbox.add(session, InvoiceRejected(**facts, rejected_on=today, reason=request.reason),
                   key=invoice.hospital_code)
    await session.flush()
    return await view_of(session, invoice)


async def reverse(session: AsyncSession, *, invoice_id: int, request: InvoiceReversal, principal: Principal,
                  today: date) -> InvoiceView:
    """SET-1 红冲: the company that submitted a live invoice reverses it; it stops counting
    and frees its lines. A paid invoice (payments − reversals above zero) is not reversed:
    its payments would be orphaned. An accepted one is owed no more: ``company:<C>:receivable``
    → ``hospital:<H>:purchases`` (SET-6)."""
    invoice = await visible(session, invoice_id, principal, for_update=True)
    if invoice.company_code != principal.tenant:
        raise not_found(f"invoice {invoice_id}")
    if invoice.status not in LIVE_STATUSES:
        raise Problem(409, detail=f"invoice {invoice_id} is {invoice.status}; only a live invoice is reversed")
    paid = (await payments.paid_fen(session, [invoice.id])).get(invoice.id, 0)
    if paid:
        raise Problem(409, detail=f"invoice {invoice_id} has {format_yuan(paid)} paid against it; it cannot be reversed")
    if invoice.status == "accepted":
        await ledger.move(
            session, cause_kind="request", cause_ref=ledger.request_cause(), recorded_by=principal.actor,
            description=f"SET-1 company {invoice.company_code} reversed (红冲) accepted invoice {invoice.number} "
                        f"(id {invoice.id}): {request.reason}",
            postings=[ledger.Posting(accounts.company_receivable(invoice.company_code),
                                     accounts.hospital_purchases(invoice.hospital_code), invoice.amount_fen)])
    invoice.status, invoice.reversed_on = "reversed", today
    invoice.reversed_by, invoice.reversal_reason = principal.actor, request.reason
    outbox.add(session, InvoiceReversed(
        invoice_id=invoice.id, number=invoice.number, company_code=invoice.company_code,
        hospital_code=invoice.hospital_code, amount_fen=invoice.amount_fen, reversed_on=today,
        reason=request.reason), key=invoice.hospital_code)
    await session.flush()
    return await view_of(session, invoice)

"""SET-2 payments (回款), their reversal, and the overdue check.

A hospital pays invoices it accepted, in parts if it likes, never more than the unpaid
balance; the invoice is locked while the balance is checked, so two payments cannot both
fit in it. A payment it recorded in error it reverses, once: the invoice owes the amount
again and nothing else changes (an overdue mark stays — it was overdue on that day).
What an invoice has been paid is Σ payments − Σ reversals, everywhere it is read.
An invoice still unpaid after its due date becomes overdue once, on the day a check on the
service's clock finds it, with ``settlement.invoice.overdue``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.messaging import outbox
from vbpkit.events.settlement import InvoiceOverdue, PaymentReversed
from vbpkit.web.identity import Principal
from vbpkit.domain.money import format_yuan
from vbpkit.web.problems import Problem
from vbpkit.web.parties import not_found

from vbp_settlement.invoices import service as invoices
from vbp_settlement.ledger import accounts
from vbp_settlement.ledger import service as ledger
from vbp_settlement.payments import repository
from vbp_settlement.payments.booking import book
from vbp_settlement.payments.models import Payment, PaymentReversal
from vbp_settlement.payments.schemas import PaymentCreate


async def record(session: AsyncSession, request: PaymentCreate, *, principal: Principal,
                 today: date) -> tuple[Payment, int]:
    """The payment and what the invoice still owes after it."""
    invoice = await invoices.visible(session, request.invoice_id, principal, for_update=True)
    if invoice.hospital_code != principal.tenant:
        raise not_found(f"invoice {request.invoice_id}")
    if invoice.status != "accepted":
        raise Problem(409, detail=f"invoice {invoice.id} is {invoice.status}; only an accepted invoice is paid (SET-2)")
    errors = []
    unpaid = invoice.amount_fen - (await repository.paid_fen(session, [invoice.id])).get(invoice.id, 0)
    if request.amount <= 0:
        errors.append({"field": "body.amount", "reason": "a payment is more than zero"})
    elif request.amount > unpaid:
        errors.append({"field": "body.amount", "reason": (
            f"{format_yuan(request.amount)} exceeds the unpaid balance {format_yuan(unpaid)} (SET-2)")})
    if request.paid_on > today:
        errors.append({"field": "body.paid_on", "reason": f"after today {today}"})
    if errors:
        raise Problem(422, detail="the payment is refused; nothing was recorded", errors=errors)
    payment = await book(session, invoice=invoice, amount_fen=request.amount, paid_on=request.paid_on,
                         reference=request.reference, fund=None, unpaid_before_fen=unpaid, recorded_by=principal.actor)
    return payment, unpaid - request.amount


async def reverse(session: AsyncSession, *, payment_id: int, reason: str, principal: Principal,
                  today: date) -> tuple[PaymentReversal, Payment, int]:
    """SET-2: the hospital takes back a payment it recorded in error — the reversal, the
    payment and what the invoice owes after it. Only its own (another's is a 404), only a
    payment the hospital made (the fund's SET-5 payment is not the hospital's to undo), once
    (409). The ledger moves the amount back ``company:<C>:received`` →
    ``company:<C>:receivable`` (SET-6), caused by this request."""
    payment = await repository.payment(session, payment_id)
    if payment is None or payment.hospital_code != principal.tenant:
        raise not_found(f"payment {payment_id}")
    # Locked like a payment locks it: a reversal and a payment of one invoice serialise, and
    # a second reversal of this payment waits here, then finds the first.
    invoice = await invoices.visible(session, payment.invoice_id, principal, for_update=True)
    if payment.source != "hospital":
        raise Problem(409, detail=(f"payment {payment_id} was made by the {payment.fund} fund (SET-5 direct "
                                   "settlement); a hospital reverses only a payment it made"))
    if await repository.reversal_of(session, payment_id) is not None:
        raise Problem(409, detail=f"payment {payment_id} is already reversed")
    company = invoice.company_code
    recorded = await ledger.move(
        session, cause_kind="request", cause_ref=ledger.request_cause(),
        description=f"SET-2 reversal of payment {payment_id} of invoice {invoice.number} (id {invoice.id}): {reason}",
        recorded_by=principal.actor,
        postings=[ledger.Posting(accounts.company_received(company), accounts.company_receivable(company),
                                 payment.amount_fen)])
    reversal = PaymentReversal(payment_id=payment_id, reason=reason, reversed_on=today,
                               transaction_id=recorded.transaction_id, recorded_by=principal.actor)
    await repository.add(session, reversal)
    unpaid = invoice.amount_fen - (await repository.paid_fen(session, [invoice.id])).get(invoice.id, 0)
    outbox.add(session, PaymentReversed(
        reversal_id=reversal.id, payment_id=payment_id, invoice_id=invoice.id, number=invoice.number,
        company_code=company, hospital_code=invoice.hospital_code, amount_fen=payment.amount_fen, reversed_on=today,
        reason=reason, unpaid_fen=unpaid, ledger_transaction_id=recorded.transaction_id), key=invoice.hospital_code)
    return reversal, payment, unpaid


async def payments_of(session: AsyncSession, *, invoice_id: int,
                      principal: Principal) -> list[tuple[Payment, PaymentReversal | None]]:
    await invoices.visible(session, invoice_id, principal)
    return await repository.payments_of(session, invoice_id)


async def run_overdue_check(session: AsyncSession, *, today: date) -> list[int]:
    """SET-2: mark every live invoice unpaid after its due date, and announce each once."""
    marked = await repository.mark_overdue(session, today=today)
    paid = await repository.paid_fen(session, [i.id for i in marked])
    for invoice in marked:
        outbox.add(session, InvoiceOverdue(
            invoice_id=invoice.id, number=invoice.number, company_code=invoice.company_code,
            hospital_code=invoice.hospital_code, amount_fen=invoice.amount_fen,
            unpaid_fen=invoice.amount_fen - paid.get(invoice.id, 0), due_on=invoice.due_on, overdue_on=today),
            key=invoice.hospital_code)
    return sorted(i.id for i in marked)

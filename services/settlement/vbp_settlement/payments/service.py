"""SET-2 payments (回款) and the overdue check.

A hospital pays invoices it accepted, in parts if it likes, never more than the unpaid
balance; the invoice is locked while the balance is checked, so two payments cannot both
fit in it. An invoice still unpaid after its due date becomes overdue once, on the day a
check on the service's clock finds it, with ``settlement.invoice.overdue``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit import outbox
from vbpkit.events.settlement import InvoiceOverdue, PaymentRecorded
from vbpkit.identity import Principal
from vbpkit.money import format_yuan
from vbpkit.problems import Problem

from vbp_settlement.invoices import service as invoices
from vbp_settlement.parties import not_found
from vbp_settlement.payments import repository
from vbp_settlement.payments.models import Payment
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
    payment = Payment(invoice_id=invoice.id, hospital_code=invoice.hospital_code, amount_fen=request.amount,
                      paid_on=request.paid_on, reference=request.reference, recorded_by=principal.actor)
    session.add(payment)
    await session.flush()
    await session.refresh(payment)
    outbox.add(session, PaymentRecorded(
        payment_id=payment.id, invoice_id=invoice.id, number=invoice.number, company_code=invoice.company_code,
        hospital_code=invoice.hospital_code, amount_fen=request.amount, paid_on=request.paid_on,
        unpaid_fen=unpaid - request.amount), key=invoice.hospital_code)
    return payment, unpaid - request.amount


async def payments_of(session: AsyncSession, *, invoice_id: int, principal: Principal) -> list[Payment]:
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

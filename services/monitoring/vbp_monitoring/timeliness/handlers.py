"""Keeps monitoring's timeliness facts in step with settlement's events (MON-4).

- ``settlement.invoice.submitted`` / ``.accepted``: the invoice, its amount and due date;
  ``.rejected`` / ``.reversed``: it stops counting; ``.overdue``: the day it was found overdue;
- ``settlement.payment.recorded`` (v1, v2) and ``settlement.payment.reversed``;
- ``settlement.prepayment.late``: a tranche not disbursed by its due date (the fund's own
  timeliness);
- ``settlement.offset.applied``: a monthly fund payable with the day the fund paid it; a
  correction supersedes the version it names.

A rejection, reversal or correction of something not seen yet waits for it (``NotYetKnown``):
after a broker loss history may be republished behind newer events, and applied out of order
a reversal would be lost and the invoice counted live.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events import Envelope
from vbpkit.messaging.handlers import NotYetKnown

from vbp_monitoring.timeliness import repository


async def on_invoice(session: AsyncSession, event, envelope: Envelope) -> None:
    await repository.put_invoice(session, dict(invoice_id=event.invoice_id, hospital_code=event.hospital_code,
                                               company_code=event.company_code, amount_fen=event.amount_fen,
                                               due_on=event.due_on, live=True,
                                               submitted_on=getattr(event, "submitted_on", None)))


async def on_invoice_dropped(session: AsyncSession, event, envelope: Envelope) -> None:
    if not await repository.drop_invoice(session, event.invoice_id):
        raise NotYetKnown(f"{envelope.type} of invoice {event.invoice_id}, whose submission has not come yet")


async def on_invoice_overdue(session: AsyncSession, event, envelope: Envelope) -> None:
    await repository.put_invoice(session, dict(invoice_id=event.invoice_id, hospital_code=event.hospital_code,
                                               company_code=event.company_code, amount_fen=event.amount_fen,
                                               due_on=event.due_on, live=True), overdue_on=event.overdue_on)


async def on_payment(session: AsyncSession, event, envelope: Envelope) -> None:
    await repository.put_payment(session, dict(payment_id=event.payment_id, invoice_id=event.invoice_id,
                                               amount_fen=event.amount_fen, paid_on=event.paid_on))


async def on_payment_reversed(session: AsyncSession, event, envelope: Envelope) -> None:
    if not await repository.reverse_payment(session, event.payment_id):
        raise NotYetKnown(f"reversal of payment {event.payment_id}, which has not come yet")


async def on_tranche_late(session: AsyncSession, event, envelope: Envelope) -> None:
    await repository.put_late_tranche(session, dict(plan_id=event.plan_id, tranche=event.tranche,
                                                    hospital_code=event.hospital_code, batch_code=event.batch_code,
                                                    due_on=event.due_on, late_on=event.late_on,
                                                    undisbursed_fen=event.undisbursed_fen))


async def on_offset_applied(session: AsyncSession, event, envelope: Envelope) -> None:
    if not await repository.put_payable(session, dict(payable_id=event.payable_id, hospital_code=event.hospital_code,
                                                      fund=event.fund, month=event.month, paid_on=event.paid_on,
                                                      net_fen=event.net_fen, live=True),
                                        supersedes=event.corrects_payable_id):
        raise NotYetKnown(f"payable {event.payable_id} corrects payable {event.corrects_payable_id}, "
                          "which has not come yet")


HANDLERS = {
    "settlement.invoice.submitted": on_invoice,
    "settlement.invoice.accepted": on_invoice,
    "settlement.invoice.rejected": on_invoice_dropped,
    "settlement.invoice.reversed": on_invoice_dropped,
    "settlement.invoice.overdue": on_invoice_overdue,
    "settlement.payment.recorded": on_payment,
    "settlement.payment.reversed": on_payment_reversed,
    "settlement.prepayment.late": on_tranche_late,
    "settlement.offset.applied": on_offset_applied,
}

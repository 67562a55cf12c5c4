"""Keeps MON-10's facts: ``settlement.prepayment.disbursed`` and ``.disbursement_reversed``
(a negative amount), and the batches each invoice bills (``settlement.invoice.submitted``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events import Envelope

from vbp_monitoring.prepayment_use import repository


async def on_disbursed(session: AsyncSession, event, envelope: Envelope) -> None:
    await repository.put_disbursement(session, dict(disbursement_id=event.disbursement_id,
                                                    hospital_code=event.hospital_code, batch_code=event.batch_code,
                                                    amount_fen=event.amount_fen, on=event.disbursed_on))


async def on_disbursement_reversed(session: AsyncSession, event, envelope: Envelope) -> None:
    await repository.put_disbursement(session, dict(disbursement_id=event.disbursement_id,
                                                    hospital_code=event.hospital_code, batch_code=event.batch_code,
                                                    amount_fen=-event.amount_fen, on=event.reversed_on))


async def on_invoice_submitted(session: AsyncSession, event, envelope: Envelope) -> None:
    parts: dict[str, int] = {}
    for line in event.lines:
        parts[line.batch_code] = parts.get(line.batch_code, 0) + line.amount_fen
    await repository.put_invoice_batches(session, [dict(invoice_id=event.invoice_id, batch_code=b, amount_fen=a)
                                                   for b, a in parts.items()])


HANDLERS = {
    "settlement.prepayment.disbursed": on_disbursed,
    "settlement.prepayment.disbursement_reversed": on_disbursement_reversed,
    "settlement.invoice.submitted": on_invoice_submitted,
}

"""Keeps the monthly report's prepayment facts in step with settlement's events (MON-8):

- ``settlement.prepayment.planned``: a plan and its total (a later announcement replaces it, an
  earlier one that comes late does not);
- ``settlement.offset.applied``: what each payable version offset against each plan (the
  timeliness handler marks a superseded version not live);
- ``settlement.refund.demanded`` / ``.received``: refunds of outstanding prepayment.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events import Envelope

from vbp_monitoring.report import repository


async def on_prepayment_planned(session: AsyncSession, event, envelope: Envelope) -> None:
    await repository.put_plan(session, dict(plan_id=event.plan_id, batch_code=event.batch_code,
                                            hospital_code=event.hospital_code, fund=event.fund,
                                            total_fen=event.total_fen,
                                            first_due_on=min(t.due_on for t in event.tranches),
                                            as_of=envelope.occurred_at))


async def on_offset_applied(session: AsyncSession, event, envelope: Envelope) -> None:
    await repository.put_offsets(session, [dict(payable_id=event.payable_id, plan_id=o.plan_id,
                                                batch_code=o.batch_code, hospital_code=event.hospital_code,
                                                month=event.month, amount_fen=o.amount_fen) for o in event.offsets])


async def on_refund_demanded(session: AsyncSession, event, envelope: Envelope) -> None:
    await repository.put_refund(session, dict(refund_id=event.refund_id, plan_id=event.plan_id,
                                              batch_code=event.batch_code, hospital_code=event.hospital_code,
                                              demanded_fen=event.amount_fen, demanded_on=event.demanded_on))


async def on_refund_received(session: AsyncSession, event, envelope: Envelope) -> None:
    await repository.put_receipt(session, dict(receipt_id=event.receipt_id, refund_id=event.refund_id,
                                               amount_fen=event.amount_fen, received_on=event.received_on))


HANDLERS = {
    "settlement.prepayment.planned": on_prepayment_planned,
    "settlement.refund.demanded": on_refund_demanded,
    "settlement.refund.received": on_refund_received,
}

"""Keeps the monthly report's facts in step with contracts' and settlement's events (MON-8):

- ``contracts.delivery.accepted`` / ``.returned``: each month's purchases of each item, rolled up
  from the accepted lines the kit's projection records just before;
- ``settlement.prepayment.planned``: a plan and its total (a later announcement replaces it, an
  earlier one that comes late does not);
- ``settlement.offset.applied``: what each payable version offset against each plan (the
  timeliness handler marks a superseded version not live);
- ``settlement.refund.demanded`` / ``.received``: refunds of outstanding prepayment.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events import Envelope
from vbpkit.events.contracts import DeliveryReturned
from vbpkit.messaging.handlers import batch
from vbpkit.projections.accepted_lines import AcceptedLine, Returned, acceptances_and_returns, returned
from vbpkit.projections.accepted_lines import repository as accepted_lines

from vbp_monitoring.report import repository


@batch
async def on_deliveries_accepted(session: AsyncSession, events: list) -> None:
    """Each month's purchases of each item (MON-8), from the lines the AcceptedLines projection
    has just recorded — a line recorded by an earlier event (its ``as_of`` is another event's) is
    not counted again — and v1's returns."""
    facts = list(acceptances_and_returns(events))
    keys = [(f.delivery_id, f.line_no) if isinstance(f, Returned) else (f[0].delivery_id, f[0].line_no)
            for f in facts]
    lines = await accepted_lines.lines(session, keys)
    accepted: dict[tuple, list[int]] = {}
    returns: list[dict] = []
    for fact, key in zip(facts, keys, strict=True):
        line = lines[key]
        if isinstance(fact, Returned):
            returns.append(_returned_row(line, fact))
        elif line.as_of == fact[1].occurred_at:
            sums = accepted.setdefault((line.accepted_on.replace(day=1), *_item(line)), [0, 0])
            sums[0] += line.quantity
            sums[1] += line.quantity * line.unit_price_fen
    await repository.add_monthly_purchases(session, [
        dict(month=month, batch_code=b, hospital_code=h, product_id=p, manufacturer_code=c, accepted_quantity=q,
             accepted_fen=f) for (month, b, h, p, c), (q, f) in accepted.items()])
    for row in returns:  # one at a time: two returns of one item and month would meet in one statement
        await repository.add_monthly_purchases(session, [row])


async def on_delivery_returned(session: AsyncSession, event: DeliveryReturned, envelope: Envelope) -> None:
    """A return in its month's purchases (MON-8); the projection has just recorded it."""
    fact = returned(event)
    line = (await accepted_lines.lines(session, [(fact.delivery_id, fact.line_no)]))[(fact.delivery_id, fact.line_no)]
    await repository.add_monthly_purchases(session, [_returned_row(line, fact)])


def _item(line: AcceptedLine) -> tuple:
    return line.batch_code, line.hospital_code, line.product_id, line.manufacturer_code


def _returned_row(line: AcceptedLine, fact: Returned) -> dict:
    batch_code, hospital_code, product_id, manufacturer_code = _item(line)
    return dict(month=fact.returned_on.replace(day=1), batch_code=batch_code, hospital_code=hospital_code,
                product_id=product_id, manufacturer_code=manufacturer_code, returned_quantity=fact.quantity,
                returned_fen=fact.quantity * line.unit_price_fen)


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
    "contracts.delivery.accepted": on_deliveries_accepted,
    "contracts.delivery.returned": on_delivery_returned,
    "settlement.prepayment.planned": on_prepayment_planned,
    "settlement.offset.applied": on_offset_applied,
    "settlement.refund.demanded": on_refund_demanded,
    "settlement.refund.received": on_refund_received,
}

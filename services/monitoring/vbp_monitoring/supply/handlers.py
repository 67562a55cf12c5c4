"""Keeps monitoring's supply read models in step with contracts' events (MON-6, MON-8).

- ``contracts.order_line.confirmed`` / ``.declined``: the line, its order day and answer;
- ``contracts.delivery.recorded``: what was delivered of each line, on its day.

The inbox records each event id with these writes, so a redelivery changes nothing.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events import Envelope
from vbpkit.events.contracts import DeliveryRecorded, OrderLineConfirmed, OrderLineDeclined
from vbpkit.messaging.handlers import NotYetKnown

from vbp_monitoring.supply import repository


async def on_line_confirmed(session: AsyncSession, event: OrderLineConfirmed, envelope: Envelope) -> None:
    await _answered(session, event.line, status="confirmed", on=event.confirmed_on, reason=None)


async def on_line_declined(session: AsyncSession, event: OrderLineDeclined, envelope: Envelope) -> None:
    await _answered(session, event.line, status="declined", on=event.declined_on, reason=event.reason)


async def _answered(session: AsyncSession, line, *, status: str, on, reason: str | None) -> None:
    row = dict(order_id=line.order_id, line_no=line.line_no, hospital_code=line.hospital_code,
               batch_code=line.batch_code, product_id=line.product_id, manufacturer_code=line.manufacturer_code,
               distributor_code=line.distributor_code, quantity=line.quantity, ordered_on=line.ordered_on,
               status=status, answered_on=on, decline_reason=reason)
    if not await repository.put_line(session, row):
        return  # answered before: the first answer stands (a line is confirmed or declined once)
    item = dict(batch_code=line.batch_code, hospital_code=line.hospital_code, product_id=line.product_id,
                manufacturer_code=line.manufacturer_code)
    await repository.add_monthly(session, {**item, "month": line.ordered_on.replace(day=1)},
                                 ordered_quantity=line.quantity)
    await repository.add_monthly(session, {**item, "month": on.replace(day=1)},
                                 **{f"{status}_quantity": line.quantity})


async def on_delivery_recorded(session: AsyncSession, event: DeliveryRecorded, envelope: Envelope) -> None:
    for delivered in event.lines:
        line = await repository.deliver(session, order_id=event.order_id, line_no=delivered.line_no,
                                        quantity=delivered.quantity, on=event.delivered_on)
        if line is None:
            raise NotYetKnown(f"delivery {event.delivery_id} of order {event.order_id} line {delivered.line_no}, "
                              "whose confirmation monitoring has not seen yet")
        await repository.add_monthly(session, dict(
            month=event.delivered_on.replace(day=1), batch_code=line.batch_code, hospital_code=line.hospital_code,
            product_id=line.product_id, manufacturer_code=line.manufacturer_code), delivered_quantity=delivered.quantity)


HANDLERS = {
    "contracts.order_line.confirmed": on_line_confirmed,
    "contracts.order_line.declined": on_line_declined,
    "contracts.delivery.recorded": on_delivery_recorded,
}

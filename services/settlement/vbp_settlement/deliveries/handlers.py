"""Keeps settlement's accepted-delivery lines in step with contracts' supply events (SET-1).

- ``contracts.delivery.accepted`` v2: one accepted line (never negative);
- ``contracts.delivery.accepted`` v1: as v1 had it, a negative quantity is a return;
- ``contracts.delivery.returned`` v1: a return, positive quantity.

The inbox records each event id with these writes, so a redelivered return is not
subtracted twice. Events of one hospital arrive in order (keyed by hospital) — except when
history is republished behind newer records after a broker loss: a return whose acceptance has
not come yet waits for it (``NotYetKnown``), and the acceptance releases it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events import Envelope
from vbpkit.events.contracts import DeliveryAccepted, DeliveryAcceptedV2, DeliveryReturned
from vbpkit.messaging.inbox import NotYetKnown, batch

from vbp_settlement.deliveries import repository
from vbp_settlement.deliveries.service import biller_of


@batch
async def on_deliveries_accepted(session: AsyncSession,
                                 events: list[tuple[DeliveryAccepted | DeliveryAcceptedV2, Envelope]]) -> None:
    """A run of acceptances is inserted in one statement; a v1 return in the run is applied
    where it stands, after the acceptances before it, so a line is never returned before
    it exists."""
    rows: list[dict] = []
    for event, envelope in events:
        if event.quantity < 0:  # v1's return
            await repository.insert_accepted(session, rows)
            rows = []
            await _returned(event.delivery_id, event.line_no, -event.quantity, event.accepted_on, session)
        elif event.quantity > 0:
            rows.append(dict(
                delivery_id=event.delivery_id, line_no=event.line_no, order_id=event.order_id,
                hospital_code=event.hospital_code, biller_code=biller_of(event),
                manufacturer_code=event.manufacturer_code, distributor_code=event.distributor_code,
                batch_code=event.batch_code, product_id=event.product_id, agreement_id=event.agreement_id,
                unit_price_fen=event.unit_price_fen, accepted_quantity=event.quantity, returned_quantity=0,
                accepted_on=event.accepted_on, as_of=envelope.occurred_at))
    await repository.insert_accepted(session, rows)


async def on_delivery_returned(session: AsyncSession, event: DeliveryReturned, envelope: Envelope) -> None:
    await _returned(event.delivery_id, event.line_no, event.quantity, event.returned_on, session)


async def _returned(delivery_id: int, line_no: int, quantity: int, returned_on: date, session: AsyncSession) -> None:
    if not await repository.add_returned(session, delivery_id=delivery_id, line_no=line_no, quantity=quantity,
                                         returned_on=returned_on):
        # its acceptance came late (a republish after a broker loss, a replay): wait for it
        raise NotYetKnown(f"return of delivery {delivery_id} line {line_no}, whose acceptance has not come yet")


HANDLERS = {
    "contracts.delivery.accepted": on_deliveries_accepted,
    "contracts.delivery.returned": on_delivery_returned,
}

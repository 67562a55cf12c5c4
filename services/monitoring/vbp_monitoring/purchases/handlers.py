"""Keeps monitoring's purchase read models in step with contracts' events (MON-1).

- ``contracts.agreement.effective``: the agreement and its items, a later version replacing
  an earlier one;
- ``contracts.delivery.accepted`` v2 (and v1, whose negative quantity is a return);
- ``contracts.delivery.returned``: a return on its day.

The inbox records each event id with these writes, so a redelivery changes nothing.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events import Envelope
from vbpkit.events.contracts import AgreementEffective, DeliveryAccepted, DeliveryAcceptedV2, DeliveryReturned
from vbpkit.messaging.inbox import NotYetKnown, batch

from vbp_monitoring.purchases import repository


async def on_agreement_effective(session: AsyncSession, event: AgreementEffective, envelope: Envelope) -> None:
    await repository.put_agreement(session, dict(
        agreement_id=event.agreement_id, version_no=event.version_no, batch_code=event.batch_code,
        agreement_year=event.agreement_year, hospital_code=event.hospital_code,
        manufacturer_code=event.manufacturer_code), [
        dict(agreement_id=event.agreement_id, product_id=i.product_id, agreed_quantity=i.agreed_quantity,
             unit_price_fen=i.unit_price_fen) for i in event.items])


@batch
async def on_deliveries_accepted(session: AsyncSession,
                                 events: list[tuple[DeliveryAccepted | DeliveryAcceptedV2, Envelope]]) -> None:
    rows: list[dict] = []
    for event, _ in events:
        if event.quantity < 0:  # v1's return, applied where it stands
            await repository.insert_accepted(session, rows)
            rows = []
            await _returned(session, event.delivery_id, event.line_no, -event.quantity, event.accepted_on)
        elif event.quantity > 0:
            rows.append(dict(delivery_id=event.delivery_id, line_no=event.line_no, hospital_code=event.hospital_code,
                             batch_code=event.batch_code, agreement_year=event.agreement_year,
                             manufacturer_code=event.manufacturer_code, product_id=event.product_id,
                             quantity=event.quantity, unit_price_fen=event.unit_price_fen,
                             accepted_on=event.accepted_on))
    await repository.insert_accepted(session, rows)


async def on_delivery_returned(session: AsyncSession, event: DeliveryReturned, envelope: Envelope) -> None:
    await _returned(session, event.delivery_id, event.line_no, event.quantity, event.returned_on)


async def _returned(session: AsyncSession, delivery_id: int, line_no: int, quantity: int, on: date) -> None:
    if not await repository.add_return(session, delivery_id=delivery_id, line_no=line_no, quantity=quantity,
                                       returned_on=on):
        # its acceptance came late (a republish after a broker loss, a replay): wait for it
        raise NotYetKnown(f"return of delivery {delivery_id} line {line_no}, whose acceptance has not come yet")


HANDLERS = {
    "contracts.agreement.effective": on_agreement_effective,
    "contracts.delivery.accepted": on_deliveries_accepted,
    "contracts.delivery.returned": on_delivery_returned,
}

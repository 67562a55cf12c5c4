"""Keeps the accepted lines and their returns in step with contracts' supply events (CON-5).

- ``contracts.delivery.accepted`` v2: one accepted line (never negative);
- ``contracts.delivery.accepted`` v1: as v1 had it, a negative quantity is a return;
- ``contracts.delivery.returned`` v1: a return, positive quantity.

The inbox records each event id with these writes, so a redelivered return is not counted twice.
Events of one hospital arrive in order (keyed by hospital) — except when history is republished
behind newer records after a broker loss: a return whose acceptance has not come yet waits for it
(``NotYetKnown``), and the acceptance releases it (issue 21). A service's own roll-ups of the same
events come after these handlers in its table and read what they wrote.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.events import Envelope
from vbpkit.events.contracts import DeliveryAccepted, DeliveryAcceptedV2, DeliveryReturned
from vbpkit.messaging.handlers import NotYetKnown, batch
from vbpkit.projections.accepted_lines import repository


@dataclass(frozen=True)
class Returned:
    """A return, whichever event announced it."""

    delivery_id: int
    line_no: int
    quantity: int
    returned_on: date


Acceptance = DeliveryAccepted | DeliveryAcceptedV2


def acceptances_and_returns(events: list[tuple[Acceptance, Envelope]]
                            ) -> Iterator[tuple[Acceptance, Envelope] | Returned]:
    """A run of ``contracts.delivery.accepted`` events as the facts they are, in order: the
    acceptances, and — v1 only, where a negative quantity is a return — the returns. The one
    place that reads v1's rule; every handler of the event iterates this."""
    for event, envelope in events:
        if event.quantity < 0:
            yield Returned(event.delivery_id, event.line_no, -event.quantity, event.accepted_on)
        elif event.quantity > 0:
            yield event, envelope


def returned(event: DeliveryReturned) -> Returned:
    return Returned(event.delivery_id, event.line_no, event.quantity, event.returned_on)


@batch
async def on_deliveries_accepted(session: AsyncSession, events: list[tuple[Acceptance, Envelope]]) -> None:
    """A run of acceptances goes in with one statement; a v1 return in the run is applied where
    it stands, after the acceptances before it, so a line is never returned before it exists."""
    rows: list[dict] = []
    for fact in acceptances_and_returns(events):
        if isinstance(fact, Returned):
            await repository.insert_lines(session, rows)
            rows = []
            await record_return(session, fact)
            continue
        event, envelope = fact
        rows.append(dict(delivery_id=event.delivery_id, line_no=event.line_no, hospital_code=event.hospital_code,
                         batch_code=event.batch_code, agreement_year=event.agreement_year,
                         manufacturer_code=event.manufacturer_code, product_id=event.product_id,
                         quantity=event.quantity, unit_price_fen=event.unit_price_fen, accepted_on=event.accepted_on,
                         as_of=envelope.occurred_at))
    await repository.insert_lines(session, rows)


async def on_delivery_returned(session: AsyncSession, event: DeliveryReturned, envelope: Envelope) -> None:
    await record_return(session, returned(event))


async def record_return(session: AsyncSession, fact: Returned) -> None:
    if await repository.add_return(session, delivery_id=fact.delivery_id, line_no=fact.line_no,
                                   quantity=fact.quantity, returned_on=fact.returned_on) is None:
        # its acceptance came late (a republish after a broker loss, a replay): wait for it
        raise NotYetKnown(f"return of delivery {fact.delivery_id} line {fact.line_no}, "
                          "whose acceptance has not come yet")


HANDLERS = {
    "contracts.delivery.accepted": on_deliveries_accepted,
    "contracts.delivery.returned": on_delivery_returned,
}

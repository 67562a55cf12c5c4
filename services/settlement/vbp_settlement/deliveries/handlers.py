"""Settlement's own handler of contracts' acceptances (SET-1): who invoices each accepted line.

The lines themselves and their returns are the kit's AcceptedLines projection, whose handlers
take the same events just before this one; v1's returns (a negative quantity) are its business.
The inbox records each event id with these writes, so a redelivery changes nothing.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events import Envelope
from vbpkit.events.contracts import DeliveryAccepted, DeliveryAcceptedV2
from vbpkit.messaging.handlers import batch
from vbpkit.projections.accepted_lines import Returned, acceptances_and_returns

from vbp_settlement.deliveries import repository
from vbp_settlement.deliveries.service import biller_of


@batch
async def on_deliveries_accepted(session: AsyncSession,
                                 events: list[tuple[DeliveryAccepted | DeliveryAcceptedV2, Envelope]]) -> None:
    await repository.insert_billing(session, [
        dict(delivery_id=event.delivery_id, line_no=event.line_no, biller_code=biller_of(event),
             order_id=event.order_id, agreement_id=event.agreement_id)
        for event, _ in (fact for fact in acceptances_and_returns(events) if not isinstance(fact, Returned))])


HANDLERS = {"contracts.delivery.accepted": on_deliveries_accepted}

"""CAT-14 in monitoring (seeds 000/004 质量问题…处置): each delivered line's lot is kept
(``contracts.delivery.recorded``); when catalog holds a lot (``catalog.lot.held``), every
hospital that accepted lines of it is alerted (kind ``lot_hold``, rule CAT-14, its ``subject``
the lot), with the lines concerned: delivery, line, quantity accepted and the day. A hospital
gets one alert per lot held; a lot accepted after the hold is refused by contracts (CON-5)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events import Envelope
from vbpkit.events.catalog import LotHeld
from vbpkit.events.contracts import DeliveryRecorded
from vbpkit.projections.registry import repository as registry

from vbp_monitoring.alerts.service import raise_and_announce
from vbp_monitoring.lot_holds import repository


async def on_delivery_recorded(session: AsyncSession, event: DeliveryRecorded, envelope: Envelope) -> None:
    await repository.put_lots(session, [dict(delivery_id=event.delivery_id, line_no=line.line_no,
                                             product_id=line.product_id, lot=line.lot) for line in event.lines])


async def on_lot_held(session: AsyncSession, event: LotHeld, envelope: Envelope) -> None:
    by_hospital = defaultdict(list)
    for line in await repository.accepted_of_lot(session, product_id=event.product_id, lot=event.lot):
        by_hospital[line.hospital_code].append(line)
    rows = []
    for hospital, lines in sorted(by_hospital.items()):
        institution = await registry.institution(session, hospital)
        rows.append(dict(
            kind="lot_hold", rule="CAT-14", period=event.held_on.isoformat()[:7], batch_code=event.batch_code,
            hospital_code=hospital, company_code=event.manufacturer_code or "", product_id=event.product_id,
            group_code="", subject=event.lot[:64], region_code=institution.region_code if institution else None,
            raised_on=event.held_on, details={
                "rule": "CAT-14", "lot": event.lot, "reason": event.reason, "held_on": event.held_on.isoformat(),
                "hold_id": event.hold_id, "accepted_quantity": sum(line.quantity for line in lines),
                "lines": [{"delivery_id": line.delivery_id, "line_no": line.line_no, "quantity": line.quantity,
                           "accepted_on": line.accepted_on.isoformat()} for line in lines],
                "meaning": "this hospital accepted goods of a lot now held for quality: stop using them and "
                           "check what is left"}))
    await raise_and_announce(session, rows)


HANDLERS = {"contracts.delivery.recorded": on_delivery_recorded, "catalog.lot.held": on_lot_held}

"""Keeps the lot hold view in step with ``catalog.lot.held`` / ``.released``; an event older
than the row it would change is ignored."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.events import Envelope
from vbpkit.events.catalog import LotHeld, LotReleased
from vbpkit.messaging.handlers import batch
from vbpkit.projections.lot_holds import repository
from vbpkit.projections.lot_holds.models import LotHoldView
from vbpkit.projections.read_models import upsert_latest


@batch
async def on_held(session: AsyncSession, events: list[tuple[LotHeld, Envelope]]) -> None:
    await upsert_latest(session, LotHoldView, [
        dict(hold_id=e.hold_id, product_id=e.product_id, lot=e.lot, reason=e.reason, held_on=e.held_on, active=True,
             as_of=envelope.occurred_at) for e, envelope in events], key="hold_id")


@batch
async def on_released(session: AsyncSession, events: list[tuple[LotReleased, Envelope]]) -> None:
    for e, envelope in events:
        await repository.release(session, hold_id=e.hold_id, as_of=envelope.occurred_at)


HANDLERS = {"catalog.lot.held": on_held, "catalog.lot.released": on_released}

"""Keeps the service region view in step with ``catalog.distributor.regions_declared`` (the
latest declaration wins)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.events import Envelope
from vbpkit.events.catalog import DistributorRegionsDeclared
from vbpkit.messaging.handlers import batch
from vbpkit.projections.read_models import upsert_latest
from vbpkit.projections.service_regions.models import ServedRegionView


@batch
async def on_declared(session: AsyncSession, events: list[tuple[DistributorRegionsDeclared, Envelope]]) -> None:
    await upsert_latest(session, ServedRegionView, [
        dict(credit_code=e.credit_code, regions=[r.model_dump() for r in e.regions], declared_on=e.declared_on,
             as_of=envelope.occurred_at) for e, envelope in events], key="credit_code")


HANDLERS = {"catalog.distributor.regions_declared": on_declared}

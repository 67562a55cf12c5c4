"""Keeps the monitored-hospital read model in step with catalog's registry events."""

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events import Envelope
from vbpkit.events.catalog import InstitutionRegistered
from vbpkit.inbox import batch
from vbpkit.read_models import upsert_latest

from vbp_monitoring.institutions.models import MonitoredHospital


@batch
async def on_institutions_registered(
    session: AsyncSession, events: list[tuple[InstitutionRegistered, Envelope]]
) -> None:
    rows = [
        dict(
            code=event.code,
            name=event.name,
            level=event.level,
            region_code=event.region_code,
            as_of=envelope.occurred_at,
        )
        for event, envelope in events
    ]
    await upsert_latest(session, MonitoredHospital, rows, key="code")

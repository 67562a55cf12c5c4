"""Keeps the monitored-hospital read model in step with catalog's registry events."""

from sqlalchemy.ext.asyncio import AsyncSession

from vbp_monitoring.institutions.models import MonitoredHospital
from vbpkit.events import Envelope
from vbpkit.events.catalog import InstitutionRegistered
from vbpkit.read_models import upsert_latest


async def on_institution_registered(session: AsyncSession, event: InstitutionRegistered, envelope: Envelope) -> None:
    values = dict(
        code=event.code,
        name=event.name,
        level=event.level,
        region_code=event.region_code,
        as_of=envelope.occurred_at,
    )
    await upsert_latest(session, MonitoredHospital, values, key="code")

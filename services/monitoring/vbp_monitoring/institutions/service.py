"""Keeps the monitored-hospital read model in step with catalog's registry events."""

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_monitoring.institutions.models import MonitoredHospital
from vbpkit.events import Envelope
from vbpkit.events.catalog import InstitutionRegistered


async def on_institution_registered(session: AsyncSession, event: InstitutionRegistered, envelope: Envelope) -> None:
    statement = insert(MonitoredHospital).values(
        code=event.code, name=event.name, level=event.level, region_code=event.region_code, as_of=envelope.occurred_at
    )
    # An older event replayed after a newer one (a republish) must not undo it.
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[MonitoredHospital.code],
            set_={c: statement.excluded[c] for c in ("name", "level", "region_code", "as_of")},
            where=MonitoredHospital.as_of <= statement.excluded.as_of,
        )
    )

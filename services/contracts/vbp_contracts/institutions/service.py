"""Keeps the hospital read model in step with catalog's registry events."""

from sqlalchemy.ext.asyncio import AsyncSession

from vbp_contracts.institutions.models import HospitalParty
from vbpkit.events import Envelope
from vbpkit.events.catalog import InstitutionRegistered
from vbpkit.read_models import upsert_latest


async def on_institution_registered(session: AsyncSession, event: InstitutionRegistered, envelope: Envelope) -> None:
    values = dict(
        code=event.code,
        name=event.name,
        kind=event.kind,
        level=event.level,
        as_of=envelope.occurred_at,
    )
    await upsert_latest(session, HospitalParty, values, key="code")

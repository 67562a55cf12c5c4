"""Keeps the hospital read model in step with catalog's registry events."""

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events import Envelope
from vbpkit.events.catalog import InstitutionRegistered
from vbpkit.inbox import batch
from vbpkit.read_models import upsert_latest

from vbp_contracts.institutions.models import HospitalParty


@batch
async def on_institutions_registered(
    session: AsyncSession, events: list[tuple[InstitutionRegistered, Envelope]]
) -> None:
    rows = [
        dict(
            code=event.code,
            name=event.name,
            kind=event.kind,
            level=event.level,
            as_of=envelope.occurred_at,
        )
        for event, envelope in events
    ]
    await upsert_latest(session, HospitalParty, rows, key="code")

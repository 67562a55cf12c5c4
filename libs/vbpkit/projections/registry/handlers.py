"""Keeps the registry projection in step with catalog's registry events; an event older
than the row it would replace is ignored (vbpkit.projections.read_models.upsert_latest)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.events import Envelope
from vbpkit.events.catalog import CompanyRegistered, InstitutionRegistered
from vbpkit.messaging.handlers import batch
from vbpkit.projections.registry.models import CompanyView, InstitutionView, fund_for_level
from vbpkit.projections.read_models import upsert_latest


@batch
async def on_institutions_registered(
    session: AsyncSession, events: list[tuple[InstitutionRegistered, Envelope]]
) -> None:
    rows = [
        dict(code=e.code, name=e.name, level=e.level, kind=e.kind, region_code=e.region_code,
             fund=fund_for_level(e.level), as_of=envelope.occurred_at)
        for e, envelope in events
    ]
    await upsert_latest(session, InstitutionView, rows, key="code")


@batch
async def on_companies_registered(session: AsyncSession, events: list[tuple[CompanyRegistered, Envelope]]) -> None:
    rows = [dict(credit_code=e.credit_code, name=e.name, roles=list(e.roles), as_of=envelope.occurred_at)
            for e, envelope in events]
    await upsert_latest(session, CompanyView, rows, key="credit_code")


HANDLERS = {
    "catalog.institution.registered": on_institutions_registered,
    "catalog.company.registered": on_companies_registered,
}

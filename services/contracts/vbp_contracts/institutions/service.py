"""Keeps the hospital read model in step with catalog's registry events."""

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events import Envelope
from vbpkit.events.catalog import InstitutionRegistered
from vbpkit.inbox import batch
from vbpkit.read_models import upsert_latest
from vbpkit.repository import get_or_404

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


async def hospital_party(session: AsyncSession, *, code: str) -> HospitalParty:
    """Catalog is the registry (CAT-9); until its event arrives, contracts does not know the code."""
    return await get_or_404(session, HospitalParty, code, what="institution",
                            detail=f"institution {code!r} is not known here (yet)")

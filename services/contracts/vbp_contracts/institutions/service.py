"""Keeps the hospital read model in step with catalog's registry events."""

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_contracts.institutions.models import HospitalParty
from vbpkit.events import Envelope
from vbpkit.events.catalog import InstitutionRegistered


async def on_institution_registered(session: AsyncSession, event: InstitutionRegistered, envelope: Envelope) -> None:
    statement = insert(HospitalParty).values(
        code=event.code, name=event.name, kind=event.kind, level=event.level, as_of=envelope.occurred_at
    )
    # An older event replayed after a newer one (a republish) must not undo it.
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[HospitalParty.code],
            set_={c: statement.excluded[c] for c in ("name", "kind", "level", "as_of")},
            where=HospitalParty.as_of <= statement.excluded.as_of,
        )
    )

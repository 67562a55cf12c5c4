"""Keeps the funded-hospital read model in step with catalog's registry events."""

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_settlement.institutions.models import FundedHospital
from vbpkit.events import Envelope
from vbpkit.events.catalog import InstitutionRegistered

EMPLOYEE_FUND_MIN_LEVEL = 2


def fund_for_level(level: int) -> str:
    """SET-3 (seeds 000/002): hospitals of level ≥ 2 draw on the employee fund (职工医保),
    others on the resident fund (居民医保)."""
    return "employee" if level >= EMPLOYEE_FUND_MIN_LEVEL else "resident"


async def on_institution_registered(session: AsyncSession, event: InstitutionRegistered, envelope: Envelope) -> None:
    statement = insert(FundedHospital).values(
        code=event.code, name=event.name, level=event.level, fund=fund_for_level(event.level), as_of=envelope.occurred_at
    )
    # An older event replayed after a newer one (a republish) must not undo it.
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[FundedHospital.code],
            set_={c: statement.excluded[c] for c in ("name", "level", "fund", "as_of")},
            where=FundedHospital.as_of <= statement.excluded.as_of,
        )
    )

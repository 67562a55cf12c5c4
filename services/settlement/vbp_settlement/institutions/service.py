"""Keeps the funded-hospital read model in step with catalog's registry events."""

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events import Envelope
from vbpkit.events.catalog import InstitutionRegistered
from vbpkit.inbox import batch
from vbpkit.read_models import upsert_latest

from vbp_settlement.institutions.models import FundedHospital

EMPLOYEE_FUND_MIN_LEVEL = 2


def fund_for_level(level: int) -> str:
    """SET-3 (seeds 000/002): hospitals of level ≥ 2 draw on the employee fund (职工医保),
    others on the resident fund (居民医保)."""
    return "employee" if level >= EMPLOYEE_FUND_MIN_LEVEL else "resident"


@batch
async def on_institutions_registered(
    session: AsyncSession, events: list[tuple[InstitutionRegistered, Envelope]]
) -> None:
    rows = [
        dict(
            code=event.code,
            name=event.name,
            level=event.level,
            fund=fund_for_level(event.level),
            as_of=envelope.occurred_at,
        )
        for event, envelope in events
    ]
    await upsert_latest(session, FundedHospital, rows, key="code")

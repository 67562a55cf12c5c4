"""Queries of CON-9 stocking in monitoring."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_monitoring.purchases.models import Agreement
from vbp_monitoring.stocking.models import FirstOrder


async def ordered(session: AsyncSession, rows: list[dict]) -> None:
    """Keep the earliest order day of each (hospital, batch)."""
    if rows:
        statement = insert(FirstOrder).values(rows)
        await session.execute(statement.on_conflict_do_update(
            index_elements=["hospital_code", "batch_code"],
            set_={"ordered_on": func.least(FirstOrder.ordered_on, statement.excluded.ordered_on)}))


async def year_one_hospitals(session: AsyncSession, batch_codes: list[str]) -> list[tuple[str, str]]:
    """(batch, hospital) with effective year-1 agreements of these batches."""
    if not batch_codes:
        return []
    return [(b, h) for b, h in await session.execute(
        select(Agreement.batch_code, Agreement.hospital_code).distinct()
        .where(Agreement.batch_code.in_(batch_codes), Agreement.agreement_year == 1)
        .order_by(Agreement.batch_code, Agreement.hospital_code))]


async def first_orders(session: AsyncSession, batch_codes: list[str]) -> dict[tuple[str, str], date]:
    if not batch_codes:
        return {}
    return {(b, h): day for h, b, day in await session.execute(
        select(FirstOrder.hospital_code, FirstOrder.batch_code, FirstOrder.ordered_on)
        .where(FirstOrder.batch_code.in_(batch_codes)))}

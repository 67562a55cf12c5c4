"""Queries of MON-14 obstruction complaints."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import filtered_page

from vbp_monitoring.obstructions.models import Obstruction
from vbp_monitoring.purchases.models import Agreement


async def party_batches(session: AsyncSession, *, hospital_code: str, company_code: str) -> list[str]:
    """The batches in which the company is party (manufacturer or distributor) to an effective
    agreement with the hospital."""
    return list(await session.scalars(
        select(Agreement.batch_code).distinct()
        .where(Agreement.hospital_code == hospital_code,
               or_(Agreement.manufacturer_code == company_code, Agreement.distributor_code == company_code))
        .order_by(Agreement.batch_code)))


async def complaint(session: AsyncSession, complaint_id: int, *, for_update: bool = False) -> Obstruction | None:
    return await session.get(Obstruction, complaint_id, with_for_update=for_update)


async def listing(session: AsyncSession, *, filters: dict, after_id: int | None, limit: int) -> list[Obstruction]:
    return list(await session.scalars(filtered_page(Obstruction, filters, after_id=after_id, limit=limit)))


async def substantiated(session: AsyncSession, *, batch_code: str | None, first: date, last: date,
                        hospitals: list[str] | None = None) -> dict[str, int]:
    """hospital → substantiated complaints found from ``first`` to ``last``."""
    query = (select(Obstruction.hospital_code, func.count()).where(
        Obstruction.status == "substantiated", Obstruction.found_on.between(first, last))
        .group_by(Obstruction.hospital_code))
    if batch_code is not None:
        query = query.where(Obstruction.batch_code == batch_code)
    if hospitals is not None:
        query = query.where(Obstruction.hospital_code.in_(hospitals))
    return {h: int(n) for h, n in await session.execute(query)}

"""Queries of the direct-settlement regions (SET-5, read by SET-3)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_settlement.direct_settlement.models import DirectSettlementRegion


async def put(session: AsyncSession, *, region_code: str, since_on: date, set_by: str) -> DirectSettlementRegion:
    statement = insert(DirectSettlementRegion).values(region_code=region_code, since_on=since_on, set_by=set_by)
    statement = statement.on_conflict_do_update(index_elements=["region_code"],
                                                set_={"since_on": since_on, "set_by": set_by})
    await session.execute(statement)
    return await session.scalar(select(DirectSettlementRegion).where(DirectSettlementRegion.region_code == region_code)
                                .execution_options(populate_existing=True))


async def all_regions(session: AsyncSession) -> list[DirectSettlementRegion]:
    return list(await session.scalars(select(DirectSettlementRegion).order_by(DirectSettlementRegion.region_code)))


async def covering(session: AsyncSession, region_code: str) -> DirectSettlementRegion | None:
    """The region entry that covers ``region_code``: itself, its city (XXXX00) or province (XX0000)."""
    candidates = {region_code, region_code[:4] + "00", region_code[:2] + "0000"}
    return await session.scalar(select(DirectSettlementRegion)
                                .where(DirectSettlementRegion.region_code.in_(candidates))
                                .order_by(DirectSettlementRegion.region_code.desc()).limit(1))

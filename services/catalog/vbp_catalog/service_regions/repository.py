"""Queries of CAT-15 service regions."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_catalog.service_regions.models import ServedRegion


async def regions_of(session: AsyncSession, company_code: str) -> list[ServedRegion]:
    return list(await session.scalars(select(ServedRegion).where(ServedRegion.company_code == company_code)
                                      .order_by(ServedRegion.region_code)))


async def replace(session: AsyncSession, company_code: str, rows: list[dict]) -> None:
    await session.execute(delete(ServedRegion).where(ServedRegion.company_code == company_code))
    session.add_all(ServedRegion(company_code=company_code, **row) for row in rows)
    await session.flush()

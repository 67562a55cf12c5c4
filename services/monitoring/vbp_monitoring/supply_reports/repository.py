"""Queries of MON-13 supply problem reports."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import filtered_page

from vbp_monitoring.supply.models import SupplyLine
from vbp_monitoring.supply_reports.models import SupplyReport


async def order_lines(session: AsyncSession, order_id: int) -> list[SupplyLine]:
    return list(await session.scalars(select(SupplyLine).where(SupplyLine.order_id == order_id)
                                      .order_by(SupplyLine.line_no)))


async def report(session: AsyncSession, report_id: int, *, for_update: bool = False) -> SupplyReport | None:
    return await session.get(SupplyReport, report_id, with_for_update=for_update)


async def listing(session: AsyncSession, *, filters: dict, after_id: int | None, limit: int) -> list[SupplyReport]:
    return list(await session.scalars(filtered_page(SupplyReport, filters, after_id=after_id, limit=limit)))

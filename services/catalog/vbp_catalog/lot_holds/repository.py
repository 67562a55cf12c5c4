"""Queries of CAT-14 lot holds."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import get_or_404

from vbp_catalog.lot_holds.models import LotHold


async def held(session: AsyncSession, *, product_id: int, lot: str) -> LotHold | None:
    return await session.scalar(select(LotHold).where(LotHold.product_id == product_id, LotHold.lot == lot,
                                                      LotHold.status == "held"))


async def of_product(session: AsyncSession, product_id: int) -> list[LotHold]:
    return list(await session.scalars(select(LotHold).where(LotHold.product_id == product_id).order_by(LotHold.id)))


async def hold_or_404(session: AsyncSession, hold_id: int) -> LotHold:
    return await get_or_404(session, LotHold, hold_id, detail=f"no lot hold {hold_id}", with_for_update=True)

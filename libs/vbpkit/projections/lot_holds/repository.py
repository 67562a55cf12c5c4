"""Reading and releasing lot holds."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.projections.lot_holds.models import LotHoldView


async def release(session: AsyncSession, *, hold_id: int, as_of: datetime) -> None:
    await session.execute(update(LotHoldView).where(LotHoldView.hold_id == hold_id, LotHoldView.as_of <= as_of)
                          .values(active=False, as_of=as_of))


async def held(session: AsyncSession, pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], LotHoldView]:
    """The active holds among these (product, lot) pairs."""
    wanted = list(set(pairs))
    if not wanted:
        return {}
    rows = await session.scalars(select(LotHoldView).where(
        tuple_(LotHoldView.product_id, LotHoldView.lot).in_(wanted), LotHoldView.active.is_(True)))
    return {(h.product_id, h.lot): h for h in rows}

"""Queries of CAT-15 in monitoring."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_monitoring.purchases.models import Agreement


async def designated(session: AsyncSession, distributor_code: str) -> list[Agreement]:
    """The effective agreements that designate this distributor."""
    return list(await session.scalars(select(Agreement).where(Agreement.distributor_code == distributor_code)
                                      .order_by(Agreement.agreement_id)))

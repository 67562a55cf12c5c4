"""Queries of CAT-13 backups."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import get_or_404

from vbp_catalog.backups.models import Backup


async def active_same(session: AsyncSession, *, failing: int, backup: int, region_code: str) -> Backup | None:
    return await session.scalar(select(Backup).where(
        Backup.failing_product_id == failing, Backup.backup_product_id == backup, Backup.region_code == region_code,
        Backup.status == "active"))


async def of_product(session: AsyncSession, product_id: int, *, active_only: bool = False) -> list[Backup]:
    """Designations naming the product, as the failing one or as the backup."""
    query = select(Backup).where(or_(Backup.failing_product_id == product_id,
                                     Backup.backup_product_id == product_id))
    if active_only:
        query = query.where(Backup.status == "active")
    return list(await session.scalars(query.order_by(Backup.id)))


async def backup_or_404(session: AsyncSession, backup_id: int) -> Backup:
    return await get_or_404(session, Backup, backup_id, detail=f"no backup designation {backup_id}",
                            with_for_update=True)

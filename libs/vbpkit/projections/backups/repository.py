"""Reading and withdrawing backup designations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.projections.backups.models import BackupView


async def withdraw(session: AsyncSession, *, backup_id: int, on: date, as_of: datetime) -> None:
    await session.execute(update(BackupView).where(BackupView.backup_id == backup_id, BackupView.as_of <= as_of)
                          .values(active=False, withdrawn_on=on, as_of=as_of))


async def active_backups(session: AsyncSession, failing_product_ids: Iterable[int]) -> list[BackupView]:
    """The active designations standing in for any of these products, oldest first."""
    return list(await session.scalars(
        select(BackupView).where(BackupView.failing_product_id.in_(set(failing_product_ids)),
                                 BackupView.active.is_(True)).order_by(BackupView.backup_id)))

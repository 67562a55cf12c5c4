"""Every query on the audit trail: append, read a page, and delete what the retention lets go."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_gateway.audit.models import AuditEntry


async def append(session: AsyncSession, row: dict) -> None:
    await session.execute(insert(AuditEntry).values(row))


async def page(session: AsyncSession, *, after: int | None, limit: int, event: str | None, key_id: str | None,
               since: datetime | None, until: datetime | None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id).limit(limit)
    if after is not None:
        query = query.where(AuditEntry.id > after)
    if event is not None:
        query = query.where(AuditEntry.event == event)
    if key_id is not None:
        query = query.where(AuditEntry.key_id == key_id)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    return list(await session.scalars(query))


async def delete_before(session: AsyncSession, instant: datetime) -> int:
    result = await session.execute(delete(AuditEntry).where(AuditEntry.at < instant))
    return result.rowcount or 0

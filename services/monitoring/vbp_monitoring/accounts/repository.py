"""Queries of CON-10 account requests in monitoring."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_monitoring.accounts.models import AccountRequestFact


async def requested(session: AsyncSession, row: dict) -> None:
    await session.execute(insert(AccountRequestFact).values(**row, opened_on=None)
                          .on_conflict_do_nothing(index_elements=["request_id"]))


async def opened(session: AsyncSession, *, request_id: int, on: date) -> int:
    result = await session.execute(update(AccountRequestFact).where(AccountRequestFact.request_id == request_id)
                                   .values(opened_on=on))
    return result.rowcount


async def still_open(session: AsyncSession) -> list[AccountRequestFact]:
    return list(await session.scalars(select(AccountRequestFact).where(AccountRequestFact.opened_on.is_(None))
                                      .order_by(AccountRequestFact.request_id)))

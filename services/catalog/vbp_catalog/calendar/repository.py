"""Queries of the CAT-10 working-day calendar: the years ops loaded."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_catalog.calendar.models import CalendarYear


async def loaded_years(session: AsyncSession) -> list[CalendarYear]:
    return list(await session.scalars(select(CalendarYear)))


async def upsert_year(
    session: AsyncSession, *, year: int, holidays: list[date], makeup_workdays: list[date], document: str,
    loaded_by: str,
) -> None:
    values = dict(year=year, holidays=holidays, makeup_workdays=makeup_workdays, document=document,
                  loaded_by=loaded_by)
    statement = insert(CalendarYear).values(**values)
    await session.execute(statement.on_conflict_do_update(index_elements=[CalendarYear.year], set_=values))

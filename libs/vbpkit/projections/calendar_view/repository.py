"""The working-day calendar as catalog counts it: the ``chinese-calendar`` seed, each year ops
loaded replacing it (CAT-10)."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.domain.workdays import OPS_SOURCE, WorkCalendar, YearSchedule
from vbpkit.projections.calendar_view.models import CalendarYearView


@lru_cache(maxsize=1)
def _seed() -> WorkCalendar:
    return WorkCalendar.seeded()


async def work_calendar(session: AsyncSession) -> WorkCalendar:
    seeded = _seed()
    calendar = WorkCalendar({year: seeded.schedule(year) for year in seeded.loaded_years()})
    for row in await session.scalars(select(CalendarYearView)):
        calendar.load_year(YearSchedule(year=row.year, holidays=frozenset(row.holidays),
                                        makeup_workdays=frozenset(row.makeup_workdays), source=OPS_SOURCE))
    return calendar

"""CAT-10: the working-day calendar the catalog counts deadlines with.

Years known to ``chinese-calendar`` are seeded; a year ops load replaces the seed for
that year. A computation that reaches a year nobody loaded fails naming the year.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.problems import Problem
from vbpkit.workdays import (
    OPS_SOURCE,
    CalendarYearNotLoaded,
    WorkCalendar,
    YearSchedule,
)

from vbp_catalog.calendar.models import CalendarYear


@lru_cache(maxsize=1)
def _seed() -> WorkCalendar:
    return WorkCalendar.seeded()


async def work_calendar(session: AsyncSession) -> WorkCalendar:
    seeded = _seed()
    calendar = WorkCalendar({year: seeded.schedule(year) for year in seeded.loaded_years()})
    for row in await session.scalars(select(CalendarYear)):
        calendar.load_year(_schedule(row))
    return calendar


def _schedule(row: CalendarYear) -> YearSchedule:
    return YearSchedule(
        year=row.year, holidays=frozenset(row.holidays), makeup_workdays=frozenset(row.makeup_workdays),
        source=OPS_SOURCE,
    )


async def load_year(
    session: AsyncSession, *, year: int, holidays: list[date], makeup_workdays: list[date], document: str, by: str
) -> YearSchedule:
    try:
        schedule = YearSchedule(
            year=year, holidays=frozenset(holidays), makeup_workdays=frozenset(makeup_workdays), source=OPS_SOURCE
        )
    except ValueError as exc:
        raise Problem(422, detail=str(exc), errors=[{"field": "body", "reason": str(exc)}]) from None
    values = dict(year=year, holidays=sorted(holidays), makeup_workdays=sorted(makeup_workdays),
                  document=document, loaded_by=by)
    statement = insert(CalendarYear).values(**values)
    await session.execute(
        statement.on_conflict_do_update(index_elements=[CalendarYear.year], set_=values)
    )
    return schedule


def year_not_loaded(exc: CalendarYearNotLoaded, field: str) -> Problem:
    """CAT-10: the 422 every computation gives when it needs a year nobody loaded."""
    return Problem(
        422, "calendar-year-not-loaded", "Working-day calendar missing", str(exc),
        errors=[{"field": field, "reason": f"no working-day calendar for {exc.year}"}],
        year=exc.year,
    )

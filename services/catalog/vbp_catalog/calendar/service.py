"""CAT-10: the working-day calendar the catalog counts deadlines with.

Years known to ``chinese-calendar`` are seeded; a year ops load replaces the seed for
that year. A computation that reaches a year nobody loaded fails naming the year.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events.catalog import CalendarYearLoaded
from vbpkit.messaging import outbox
from vbpkit.web.problems import Problem
from vbpkit.domain.workdays import (
    OPS_SOURCE,
    CalendarYearNotLoaded,
    WorkCalendar,
    YearSchedule,
)

from vbp_catalog.calendar import repository
from vbp_catalog.calendar.models import CalendarYear
from vbp_catalog.calendar.schemas import WorkingDays, YearLoad, YearRead, year_read


@lru_cache(maxsize=1)
def _seed() -> WorkCalendar:
    return WorkCalendar.seeded()


async def work_calendar(session: AsyncSession) -> WorkCalendar:
    seeded = _seed()
    calendar = WorkCalendar({year: seeded.schedule(year) for year in seeded.loaded_years()})
    for row in await repository.loaded_years(session):
        calendar.load_year(_schedule(row))
    return calendar


def _schedule(row: CalendarYear) -> YearSchedule:
    return YearSchedule(
        year=row.year, holidays=frozenset(row.holidays), makeup_workdays=frozenset(row.makeup_workdays),
        source=OPS_SOURCE,
    )


async def load_year(session: AsyncSession, *, year: int, request: YearLoad, by: str) -> YearRead:
    try:
        schedule = YearSchedule(
            year=year, holidays=frozenset(request.holidays), makeup_workdays=frozenset(request.makeup_workdays),
            source=OPS_SOURCE,
        )
    except ValueError as exc:
        raise Problem(422, detail=str(exc), errors=[{"field": "body", "reason": str(exc)}]) from None
    await repository.upsert_year(
        session, year=year, holidays=sorted(request.holidays), makeup_workdays=sorted(request.makeup_workdays),
        document=request.document, loaded_by=by,
    )
    # other services count working days too (CON-10): they keep the year as catalog does
    outbox.add(session, CalendarYearLoaded(year=year, holidays=sorted(request.holidays),
                                           makeup_workdays=sorted(request.makeup_workdays),
                                           document=request.document), key=str(year))
    return year_read(schedule)


async def read_year(session: AsyncSession, *, year: int) -> YearRead:
    calendar = await work_calendar(session)
    try:
        return year_read(calendar.schedule(year))
    except CalendarYearNotLoaded as exc:
        raise Problem(404, "calendar-year-not-loaded", detail=str(exc), year=year) from None


async def count_working_days(session: AsyncSession, *, start: date, days: int) -> WorkingDays:
    calendar = await work_calendar(session)
    try:
        count = calendar.add_working_days(start, days)
    except CalendarYearNotLoaded as exc:
        raise year_not_loaded(exc, "query.start") from None
    return WorkingDays(due_on=count.due_on, explain=count.explain())


def year_not_loaded(exc: CalendarYearNotLoaded, field: str) -> Problem:
    """CAT-10: the 422 every computation gives when it needs a year nobody loaded."""
    return Problem(
        422, "calendar-year-not-loaded", "Working-day calendar missing", str(exc),
        errors=[{"field": field, "reason": f"no working-day calendar for {exc.year}"}],
        year=exc.year,
    )

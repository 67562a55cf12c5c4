from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from vbpkit.db import SessionDep
from vbpkit.identity import PrincipalDep, Role, require_roles
from vbpkit.problems import Problem
from vbpkit.workdays import CalendarYearNotLoaded

from vbp_catalog.calendar import service

router = APIRouter(prefix="/calendar", tags=["calendar"])
Year = Annotated[int, Path(ge=2000, le=2100)]


class YearLoad(BaseModel):
    model_config = ConfigDict(extra="forbid")

    holidays: list[date] = Field(description="every statutory holiday day off of the year (放假日)")
    makeup_workdays: list[date] = Field(description="weekend days that are working days (调休上班日)")
    document: str = Field(min_length=1, max_length=200, examples=["国办发明电〔2026〕7号"])


class YearRead(BaseModel):
    year: int
    source: str = Field(description="chinese-calendar (seeded) or ops (loaded)")
    holidays: list[date]
    makeup_workdays: list[date]


class WorkingDays(BaseModel):
    due_on: date
    explain: dict


def _read(schedule) -> YearRead:
    return YearRead(year=schedule.year, source=schedule.source, holidays=sorted(schedule.holidays),
                    makeup_workdays=sorted(schedule.makeup_workdays))


@router.get("/working-days", response_model=WorkingDays,
            summary="Count working days after a date (CAT-10), with what was skipped")
async def count_working_days(
    session: SessionDep, principal: PrincipalDep,
    start: Annotated[date, Query(description="counting starts the day after")],
    days: Annotated[int, Query(ge=1, le=366)],
) -> WorkingDays:
    calendar = await service.work_calendar(session)
    try:
        count = calendar.add_working_days(start, days)
    except CalendarYearNotLoaded as exc:
        raise service.year_not_loaded(exc, "query.start") from None
    return WorkingDays(due_on=count.due_on, explain=count.explain())


@router.get("/{year}", response_model=YearRead, summary="A year's holidays and make-up workdays")
async def read_year(year: Year, session: SessionDep, principal: PrincipalDep) -> YearRead:
    calendar = await service.work_calendar(session)
    try:
        return _read(calendar.schedule(year))
    except CalendarYearNotLoaded as exc:
        raise Problem(404, "calendar-year-not-loaded", detail=str(exc), year=year) from None


@router.put("/{year}", response_model=YearRead, dependencies=[require_roles(Role.INSURER)],
            summary="Load a year's official schedule (CAT-10); replaces the seed for that year")
async def load_year(year: Year, body: YearLoad, session: SessionDep, principal: PrincipalDep) -> YearRead:
    schedule = await service.load_year(
        session, year=year, holidays=body.holidays, makeup_workdays=body.makeup_workdays,
        document=body.document, by=f"{principal.role.value}:{principal.key_id}",
    )
    return _read(schedule)

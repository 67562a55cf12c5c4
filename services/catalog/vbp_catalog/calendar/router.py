from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles

from vbp_catalog.calendar import service
from vbp_catalog.calendar.schemas import WorkingDays, YearLoad, YearRead

router = APIRouter(prefix="/calendar", tags=["calendar"])
Year = Annotated[int, Path(ge=2000, le=2100)]


@router.get("/working-days", response_model=WorkingDays,
            summary="Count working days after a date (CAT-10), with what was skipped")
async def count_working_days(
    session: SessionDep, principal: PrincipalDep,
    start: Annotated[date, Query(description="counting starts the day after")],
    days: Annotated[int, Query(ge=1, le=366)],
) -> WorkingDays:
    return await service.count_working_days(session, start=start, days=days)


@router.get("/{year}", response_model=YearRead, summary="A year's holidays and make-up workdays")
async def read_year(year: Year, session: SessionDep, principal: PrincipalDep) -> YearRead:
    return await service.read_year(session, year=year)


@router.put("/{year}", response_model=YearRead, dependencies=[require_roles(Role.INSURER)],
            summary="Load a year's official schedule (CAT-10); replaces the seed for that year")
async def load_year(year: Year, body: YearLoad, session: SessionDep, principal: PrincipalDep) -> YearRead:
    return await service.load_year(session, year=year, request=body, by=principal.actor)

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep
from vbpkit.runtime.service_app import ClockDep

from vbp_monitoring.progress import service
from vbp_monitoring.progress.schemas import ProgressPage, ProgressRow

router = APIRouter(tags=["progress"])


@router.get("/progress", response_model=ProgressPage,
            summary="采购进度 per hospital × agreement item, or rolled up, as of a date, with its explain (MON-1)")
async def read_progress(session: SessionDep, principal: PrincipalDep, clock: ClockDep,
                        as_of: date | None = None,
                        batch_code: Annotated[str | None, Query(max_length=64)] = None,
                        hospital_code: Annotated[str | None, Query(max_length=64)] = None,
                        company_code: Annotated[str | None, Query(max_length=18)] = None,
                        region_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
                        year: Annotated[int | None, Query(ge=1, le=50)] = None,
                        group_by: Literal["item", "hospital", "company", "batch", "region"] = "item",
                        cursor: Annotated[int, Query(ge=0, le=10**9)] = 0,
                        limit: Annotated[int, Query(ge=1, le=500)] = 100) -> ProgressPage:
    as_of = as_of or clock.today()
    chosen, next_cursor = await service.page(session, cursor=cursor, limit=limit, principal=principal, as_of=as_of,
                                             batch_code=batch_code, hospital_code=hospital_code,
                                             company_code=company_code, region_code=region_code, year=year,
                                             group_by=group_by)
    return ProgressPage(as_of=as_of, group_by=group_by, items=[ProgressRow.of(line) for line in chosen],
                        next_cursor=next_cursor)

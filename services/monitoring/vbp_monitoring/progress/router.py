from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from vbpkit.db.engine import SessionDep
from vbpkit.web.downloads import DOWNLOADS, Format, download
from vbpkit.web.identity import PrincipalDep
from vbpkit.runtime.service_app import ClockDep

from vbp_monitoring.progress import service
from vbp_monitoring.progress.schemas import ProgressPage, ProgressRow, progress_columns

router = APIRouter(tags=["progress"])


@router.get("/progress", response_model=ProgressPage, responses=DOWNLOADS,
            summary="采购进度 per hospital × agreement item, or rolled up, as of a date, with its explain (MON-1); "
                    "every selected row as .csv or .xlsx with `format`")
async def read_progress(session: SessionDep, principal: PrincipalDep, clock: ClockDep,
                        as_of: date | None = None,
                        batch_code: Annotated[str | None, Query(max_length=64)] = None,
                        hospital_code: Annotated[str | None, Query(max_length=64)] = None,
                        company_code: Annotated[str | None, Query(max_length=18)] = None,
                        region_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
                        year: Annotated[int | None, Query(ge=1, le=50)] = None,
                        group_by: Literal["item", "company_group", "hospital", "company", "batch",
                                          "region"] = "item",
                        behind: Annotated[bool | None, Query(
                            description="only the rows behind the 序时进度 (true) or not behind (false)")] = None,
                        format: Format = "json",
                        cursor: Annotated[int, Query(ge=0, le=10**9)] = 0,
                        limit: Annotated[int, Query(ge=1, le=500)] = 100):
    as_of = as_of or clock.today()
    query = dict(principal=principal, as_of=as_of, batch_code=batch_code, hospital_code=hospital_code,
                 company_code=company_code, region_code=region_code, year=year, group_by=group_by, behind=behind)
    downloading = format != "json"  # every selected row, not a page
    chosen, next_cursor = await service.page(session, cursor=0 if downloading else cursor,
                                             limit=None if downloading else limit, **query)
    if downloading:
        rows = [{**line.key, **ProgressRow.of(line).model_dump(exclude={"key", "explain"}),
                 "agreed_amount": line.agreed_fen, "assessed_amount": line.assessed_fen,
                 "accepted_amount": line.accepted_fen} for line in chosen]
        return download(format, title="采购进度 (MON-1)", columns=progress_columns(group_by), rows=rows,
                        filename=f"progress-{as_of}-{group_by}", generated_at=clock.now(),
                        generated_by=principal.actor, filters={"as_of": as_of, **{
                            k: v for k, v in query.items() if k not in ("principal", "as_of")}})
    return ProgressPage(as_of=as_of, group_by=group_by, items=[ProgressRow.of(line) for line in chosen],
                        next_cursor=next_cursor)

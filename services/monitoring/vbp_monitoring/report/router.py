from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from vbpkit.db.engine import SessionDep
from vbpkit.runtime.service_app import ClockDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles
from vbpkit.web.xlsx import MEDIA_TYPE, attachment

from vbp_monitoring.report import service
from vbp_monitoring.report.schemas import MonthlyReport
from vbp_monitoring.report.xlsx import report_workbook

router = APIRouter(tags=["reports"])


@router.get("/reports/monthly", response_model=MonthlyReport, dependencies=[require_roles(Role.INSURER, Role.EXCHANGE)],
            responses={200: {"content": {MEDIA_TYPE: {}}}},
            summary="按月报送: purchases, supply, payments, prepayments, savings and alerts of a month for a region, "
                    "JSON or .xlsx (`format=xlsx`) (MON-8)")
async def monthly_report(month: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")], session: SessionDep,
                         principal: PrincipalDep, clock: ClockDep,
                         region_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
                         format: Literal["json", "xlsx"] = "json"):
    found = await service.monthly_report(session, principal=principal, region_code=region_code,
                                         month=date(int(month[:4]), int(month[5:7]), 1))
    if format == "xlsx":
        book = report_workbook(found, generated_at=clock.now(), generated_by=principal.actor)
        return Response(content=book, media_type=MEDIA_TYPE, headers=attachment(
            f"monthly-report-{month}-{region_code or 'all'}.xlsx"))
    return MonthlyReport.of(found)

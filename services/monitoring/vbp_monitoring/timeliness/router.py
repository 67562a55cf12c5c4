from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep

from vbp_monitoring.timeliness import service
from vbp_monitoring.timeliness.schemas import HospitalTimeliness, TimelinessPage

router = APIRouter(tags=["timeliness"])


@router.get("/timeliness", response_model=TimelinessPage,
            summary="Per hospital for a month: on-time payment rate, overdue invoices, late tranches, the fund's "
                    "payables and whether it paid them in time (MON-4)")
async def read_timeliness(month: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")], session: SessionDep,
                          principal: PrincipalDep,
                          hospital_code: Annotated[str | None, Query(max_length=64)] = None) -> TimelinessPage:
    rows = await service.timeliness(session, principal=principal, month=date(int(month[:4]), int(month[5:7]), 1),
                                    hospital_code=hospital_code)
    return TimelinessPage(month=month, items=[HospitalTimeliness(
        **{k: v for k, v in r.items() if k != "unpaid_by_due_date_fen"}, unpaid_by_due_date=r["unpaid_by_due_date_fen"])
        for r in rows])

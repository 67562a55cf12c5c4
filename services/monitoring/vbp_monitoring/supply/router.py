from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep
from vbpkit.web.problems import Problem
from vbpkit.runtime.service_app import ClockDep

from vbp_monitoring.supply import service
from vbp_monitoring.supply.schemas import CompanyPerformance, PerformancePage

router = APIRouter(tags=["company performance"])


@router.get("/performance", response_model=PerformancePage,
            summary="Per company: fill rate within the delivery window, lead time p50/p90, declines, breaches and "
                    "rating, over the lines ordered in a period (MON-6)")
async def read_performance(first: date, last: date, session: SessionDep, principal: PrincipalDep, clock: ClockDep,
                           as_of: date | None = None,
                           company_code: Annotated[str | None, Query(max_length=18)] = None,
                           batch_code: Annotated[str | None, Query(max_length=64)] = None,
                           hospital_code: Annotated[str | None, Query(max_length=64)] = None) -> PerformancePage:
    if last < first or (last - first).days > 731:
        raise Problem(422, detail="the period runs from first to last, at most two years",
                      errors=[{"field": "query.last", "reason": "before first or more than 731 days after it"}])
    as_of = as_of or clock.today()
    rows = await service.performance(session, principal=principal, first=first, last=last, as_of=as_of,
                                     company_code=company_code, batch_code=batch_code, hospital_code=hospital_code)
    return PerformancePage(first=first, last=last, as_of=as_of, items=[CompanyPerformance(**r) for r in rows])

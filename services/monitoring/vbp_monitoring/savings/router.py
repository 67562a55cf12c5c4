from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response
from vbpkit.db.engine import SessionDep
from vbpkit.web.bulk_rows import BULK_RESPONSES, bulk_status
from vbpkit.web.identity import PrincipalDep, Role, require_roles
from vbpkit.runtime.service_app import ClockDep

from vbp_monitoring.savings import service
from vbp_monitoring.savings.schemas import BaselinePush, BaselineResult, HospitalSavings, SavingsRead

router = APIRouter(tags=["savings"])


@router.post("/baseline-prices", response_model=BaselineResult, dependencies=[require_roles(Role.EXCHANGE)],
             responses=BULK_RESPONSES,
             summary="Push products' baseline (pre-procurement) prices, ≤ 10,000 rows, for MON-9 savings; "
                     "200 all stored, 207 some refused, 422 none stored")
async def push_baselines(body: BaselinePush, session: SessionDep, principal: PrincipalDep,
                         response: Response) -> BaselineResult:
    result = BaselineResult(**await service.push_baselines(session, body.rows, principal=principal))
    bulk_status(response, stored=result.stored, errors=result.errors)
    return result


@router.get("/savings", response_model=SavingsRead,
            summary="Savings per hospital of a batch's agreement year: (baseline − price paid) × quantity (MON-9)")
async def read_savings(batch_code: Annotated[str, Query(min_length=1, max_length=64)], session: SessionDep,
                       principal: PrincipalDep, clock: ClockDep, as_of: date | None = None,
                       year: Annotated[int | None, Query(ge=1, le=50)] = None,
                       hospital_code: Annotated[str | None, Query(max_length=64)] = None) -> SavingsRead:
    as_of = as_of or clock.today()
    found = await service.savings(session, principal=principal, batch_code=batch_code, as_of=as_of, year=year,
                                  hospital_code=hospital_code)
    items = [HospitalSavings(hospital_code=r["hospital_code"], savings=r["savings_fen"], products=r["products"])
             for r in found["rows"]]
    return SavingsRead(batch_code=batch_code, as_of=as_of, year=found["year"], total=sum(i.savings for i in items),
                       items=items, explain=found.get("explain", {}))

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep
from vbpkit.runtime.service_app import ClockDep

from vbp_monitoring.prepayment_use import service
from vbp_monitoring.prepayment_use.schemas import PrepaymentUse, PrepaymentUsePage

router = APIRouter(tags=["prepayment use"])


@router.get("/prepayment-use", response_model=PrepaymentUsePage,
            summary="Prepayment disbursed vs passed on to the batch's suppliers, per hospital and batch (MON-10)")
async def read_use(session: SessionDep, principal: PrincipalDep, clock: ClockDep, as_of: date | None = None,
                   batch_code: Annotated[str | None, Query(max_length=64)] = None,
                   hospital_code: Annotated[str | None, Query(max_length=64)] = None) -> PrepaymentUsePage:
    rows = await service.visible_use(session, principal=principal, as_of=as_of or clock.today(),
                                     batch_code=batch_code, hospital_code=hospital_code)
    return PrepaymentUsePage(items=[PrepaymentUse.of(r) for r in rows])

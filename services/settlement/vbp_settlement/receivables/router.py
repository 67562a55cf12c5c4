from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep
from vbpkit.runtime.service_app import ClockDep

from vbp_settlement.receivables import service
from vbp_settlement.receivables.schemas import ReceivablesRead

router = APIRouter(tags=["receivables"])


@router.get("/receivables", response_model=ReceivablesRead,
            summary="A company's receivables aged by days overdue on a date (SET-2), per hospital, reconciled "
                    "with its ledger receivable; a company reads its own, overseers name the company")
async def read_receivables(session: SessionDep, principal: PrincipalDep, clock: ClockDep,
                           as_of: Annotated[date | None, Query(description="default: the clock's today")] = None,
                           company_code: Annotated[str | None, Query(min_length=1, max_length=18)] = None,
                           ) -> ReceivablesRead:
    return ReceivablesRead(**await service.receivables(session, principal=principal, company_code=company_code,
                                                       as_of=as_of or clock.today()))

from typing import Annotated

from fastapi import APIRouter, Path, Query
from vbpkit.db.engine import SessionDep
from vbpkit.db.limits import BIGINT_MAX
from vbpkit.web.identity import PrincipalDep, Role, require_roles
from vbpkit.runtime.service_app import ClockDep

from vbp_settlement.refunds import service
from vbp_settlement.refunds.schemas import ReceiptCreate, RefundCheck, RefundPage, RefundRead

router = APIRouter(tags=["refunds"])
RefundId = Annotated[int, Path(ge=1, le=BIGINT_MAX)]


@router.get("/refunds", response_model=RefundPage,
            summary="Refunds of prepayment demanded back (退回); a hospital sees its own (SET-4)")
async def list_refunds(session: SessionDep, principal: PrincipalDep, hospital_code: str | None = None,
                       cursor: Annotated[int | None, Query(ge=0, le=BIGINT_MAX)] = None,
                       limit: Annotated[int, Query(ge=1, le=200)] = 50) -> RefundPage:
    found = await service.listing(session, principal=principal, hospital_code=hospital_code, after_id=cursor,
                                  limit=limit)
    return RefundPage(items=[RefundRead.of(*f) for f in found],
                      next_cursor=found[-1][0].id if len(found) == limit else None)


@router.get("/refunds/{refund_id}", response_model=RefundRead, summary="One refund demand with its explain (SET-4)")
async def read_refund(refund_id: RefundId, session: SessionDep, principal: PrincipalDep) -> RefundRead:
    return RefundRead.of(*await service.read(session, refund_id=refund_id, principal=principal))


@router.post("/refunds/{refund_id}/receipts", status_code=201, response_model=RefundRead,
             dependencies=[require_roles(Role.INSURER)],
             summary="Record what the hospital sent back of a refund demand (SET-4, ledger SET-6)")
async def receive(refund_id: RefundId, body: ReceiptCreate, session: SessionDep, principal: PrincipalDep,
                  clock: ClockDep) -> RefundRead:
    return RefundRead.of(*await service.receive(session, refund_id=refund_id, amount_fen=body.amount,
                                                received_on=body.received_on, principal=principal,
                                                today=clock.today()))


@router.post("/refund-checks", response_model=RefundCheck, dependencies=[require_roles(Role.INSURER)],
             summary="Run the SET-4 refund check now on the service's clock (it also runs on its own schedule)")
async def run_refund_check(session: SessionDep, clock: ClockDep) -> RefundCheck:
    today = clock.today()
    return RefundCheck(checked_on=today, refunds_demanded=await service.run_refund_check(session, today=today))

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from vbpkit.db.engine import SessionDep
from vbpkit.db.limits import BIGINT_MAX
from vbpkit.web.bulk_rows import BULK_RESPONSES, bulk_status
from vbpkit.web.identity import PrincipalDep, Role, require_roles
from vbpkit.runtime.service_app import ClockDep

from vbp_settlement.fund_payables import service
from vbp_settlement.fund_payables.schemas import (MONTH_PATTERN, DeductionRead, Fund, OffsetRead, PayablePage,
                                                  PayablePost, PayableRead, PostResult, first_of)

router = APIRouter(tags=["fund payables"])


def _read(payable, offsets, deductions) -> PayableRead:
    return PayableRead(
        id=payable.id, hospital_code=payable.hospital_code, fund=payable.fund, month=payable.month.isoformat()[:7],
        version=payable.version, status=payable.status, amount=payable.amount_fen,
        direct_settlements=sum(a for _, a in deductions), offset=sum(a for _, a in offsets), net=payable.net_fen,
        paid_on=payable.paid_on, superseded_by_id=payable.superseded_by_id,
        ledger_transaction_id=payable.transaction_id, reversal_transaction_id=payable.reversal_transaction_id,
        offsets=[OffsetRead(plan_id=o.plan_id, batch_code=o.batch_code, amount=a,
                            explain=service.offset_explain(payable, o.plan_id)) for o, a in offsets],
        deductions=[DeductionRead(payment_id=d.payment_id, amount=a) for d, a in deductions],
        explain=payable.explain, posted_by=payable.posted_by, posted_at=payable.posted_at)


@router.post("/fund-payables", response_model=PostResult, dependencies=[require_roles(Role.INSURER)],
             responses=BULK_RESPONSES,
             summary="Post monthly fund payables in bulk (≤ 10,000 rows): direct settlements and prepayment "
                     "offsets are taken from each, the net returned; a row for a posted month corrects it (SET-4); "
                     "200 all stored, 207 some refused, 422 none stored")
async def post_payables(body: PayablePost, session: SessionDep, principal: PrincipalDep,
                        clock: ClockDep, response: Response) -> PostResult:
    result = await service.post(session, body, principal=principal, today=clock.today())
    bulk_status(response, stored=result.received - result.rejected,
                errors=[{"row": row.row, **error} for row in result.rows for error in row.errors])
    return result


@router.get("/fund-payables", response_model=PayablePage,
            summary="Monthly fund payables with their offsets; a hospital sees its own (SET-4)")
async def list_payables(session: SessionDep, principal: PrincipalDep, hospital_code: str | None = None,
                        fund: Fund | None = None,
                        month: Annotated[str | None, Query(pattern=MONTH_PATTERN)] = None,
                        include_superseded: bool = False,
                        cursor: Annotated[int | None, Query(ge=0, le=BIGINT_MAX)] = None,
                        limit: Annotated[int, Query(ge=1, le=200)] = 50) -> PayablePage:
    found = await service.listing(session, principal=principal, hospital_code=hospital_code, fund=fund,
                                  month=first_of(month) if month else None, include_superseded=include_superseded,
                                  after_id=cursor, limit=limit)
    return PayablePage(items=[_read(*f) for f in found], next_cursor=found[-1][0].id if len(found) == limit else None)


@router.get("/fund-payables/{payable_id}", response_model=PayableRead,
            summary="One monthly fund payable: its offsets, direct settlements, net and explain (SET-4)")
async def read_payable(payable_id: Annotated[int, Path(ge=1, le=BIGINT_MAX)], session: SessionDep,
                       principal: PrincipalDep) -> PayableRead:
    return _read(*await service.read(session, payable_id=payable_id, principal=principal))

from typing import Annotated

from fastapi import APIRouter, Path, Query
from vbpkit.db.engine import SessionDep
from vbpkit.db.limits import BIGINT_MAX
from vbpkit.web.identity import PrincipalDep, Role, require_roles
from vbpkit.runtime.service_app import ClockDep

from vbp_settlement.prepayments import service
from vbp_settlement.prepayments.schemas import (DisbursementCreate, DisbursementPage, DisbursementRead,
                                                DisbursementReversal, LateCheck, PlanPage, PlanRead, TotalSet)

router = APIRouter(tags=["prepayments"])
PlanId = Annotated[int, Path(ge=1, le=BIGINT_MAX)]


@router.get("/prepayments", response_model=PlanPage,
            summary="Prepayment plans (医保预付金) with tranches; a hospital sees its own, overseers all (SET-3)")
async def list_plans(session: SessionDep, principal: PrincipalDep, batch_code: str | None = None,
                     hospital_code: str | None = None, cursor: Annotated[int | None, Query(ge=0, le=BIGINT_MAX)] = None,
                     limit: Annotated[int, Query(ge=1, le=200)] = 50) -> PlanPage:
    found = await service.list_plans_with_tranches(session, principal=principal, batch_code=batch_code,
                                                   hospital_code=hospital_code, after_id=cursor, limit=limit)
    return PlanPage(items=[PlanRead.of(*found_plan) for found_plan in found],
                    next_cursor=found[-1][0].id if len(found) == limit else None)


@router.get("/prepayments/{plan_id}", response_model=PlanRead, summary="One prepayment plan with its explain (SET-3)")
async def read_plan(plan_id: PlanId, session: SessionDep, principal: PrincipalDep) -> PlanRead:
    return PlanRead.of(*await service.read_plan(session, plan_id=plan_id, principal=principal))


@router.put("/prepayments/{plan_id}/total", response_model=PlanRead, dependencies=[require_roles(Role.INSURER)],
            summary="Set the plan total from the monitoring centre's figure, with a reason (SET-3, seeds 000/002)")
async def set_total(plan_id: PlanId, body: TotalSet, session: SessionDep, principal: PrincipalDep,
                    clock: ClockDep) -> PlanRead:
    return PlanRead.of(*await service.set_total_and_read(session, plan_id=plan_id, amount_fen=body.total,
                                                         reason=body.reason, principal=principal,
                                                         today=clock.today()))


@router.post("/prepayments/{plan_id}/disbursements", status_code=201, response_model=DisbursementRead,
             dependencies=[require_roles(Role.INSURER)],
             summary="Record a disbursement (拨付) of a tranche from the fund to the hospital (SET-3, ledger SET-6)")
async def disburse(plan_id: PlanId, body: DisbursementCreate, session: SessionDep, principal: PrincipalDep,
                   clock: ClockDep) -> DisbursementRead:
    disbursement, plan_disbursed = await service.disburse(
        session, plan_id=plan_id, tranche=body.tranche, amount_fen=body.amount, disbursed_on=body.disbursed_on,
        principal=principal, today=clock.today())
    return DisbursementRead(id=disbursement.id, plan_id=plan_id, tranche=body.tranche, amount=body.amount,
                            disbursed_on=disbursement.disbursed_on, ledger_transaction_id=disbursement.transaction_id,
                            recorded_by=disbursement.recorded_by, recorded_at=disbursement.recorded_at,
                            plan_disbursed=plan_disbursed)


@router.get("/prepayments/{plan_id}/disbursements", response_model=DisbursementPage,
            summary="A plan's disbursements, amounts from the ledger (SET-6)")
async def list_disbursements(plan_id: PlanId, session: SessionDep, principal: PrincipalDep) -> DisbursementPage:
    return DisbursementPage(items=[
        DisbursementRead(id=d.id, plan_id=plan_id, tranche=number, amount=amount, disbursed_on=d.disbursed_on,
                         ledger_transaction_id=d.transaction_id, reverses_id=d.reverses_id, reason=d.reason,
                         recorded_by=d.recorded_by, recorded_at=d.recorded_at)
        for d, number, amount in await service.plan_disbursements(session, plan_id=plan_id, principal=principal)])


@router.post("/prepayments/{plan_id}/disbursements/{disbursement_id}/reversal", status_code=201,
             response_model=DisbursementRead, dependencies=[require_roles(Role.INSURER)],
             summary="Reverse a disbursement recorded in error: the money goes back to the fund (SET-6)")
async def reverse_disbursement(plan_id: PlanId, disbursement_id: Annotated[int, Path(ge=1, le=BIGINT_MAX)],
                               body: DisbursementReversal, session: SessionDep, principal: PrincipalDep,
                               clock: ClockDep) -> DisbursementRead:
    reversal, number, amount, plan_disbursed = await service.reverse_disbursement(
        session, plan_id=plan_id, disbursement_id=disbursement_id, reason=body.reason, principal=principal,
        today=clock.today())
    return DisbursementRead(id=reversal.id, plan_id=plan_id, tranche=number, amount=amount,
                            disbursed_on=reversal.disbursed_on, ledger_transaction_id=reversal.transaction_id,
                            reverses_id=reversal.reverses_id, reason=reversal.reason, recorded_by=reversal.recorded_by,
                            recorded_at=reversal.recorded_at, plan_disbursed=plan_disbursed)


@router.post("/prepayments/late-checks", response_model=LateCheck, dependencies=[require_roles(Role.INSURER)],
             summary="Run the SET-3 late-tranche check now on the service's clock (it also runs on its own schedule)")
async def run_late_check(session: SessionDep, clock: ClockDep) -> LateCheck:
    today = clock.today()
    return LateCheck(checked_on=today, tranches_late=await service.run_late_check(session, today=today))

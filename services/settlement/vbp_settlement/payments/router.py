from typing import Annotated

from fastapi import APIRouter, Path, Query
from vbpkit.db.engine import SessionDep
from vbpkit.db.limits import BIGINT_MAX
from vbpkit.web.identity import PrincipalDep, Role, require_roles
from vbpkit.runtime.service_app import ClockDep
from vbpkit.web.parties import hospital_code

from vbp_settlement.payments import service
from vbp_settlement.payments.schemas import (
    OverdueCheck,
    PaymentCreate,
    PaymentPage,
    PaymentRead,
    PaymentReversalCreate,
    PaymentReversalRead,
    ReversalFacts,
)

router = APIRouter(tags=["payments"])


def _read(payment, unpaid: int | None = None, reversal=None) -> PaymentRead:
    return PaymentRead(id=payment.id, invoice_id=payment.invoice_id, hospital_code=payment.hospital_code,
                       amount=payment.amount_fen, paid_on=payment.paid_on, reference=payment.reference,
                       source=payment.source, fund=payment.fund, transaction_id=payment.transaction_id,
                       recorded_at=payment.recorded_at, invoice_unpaid=unpaid, reversal=None if reversal is None else
                       ReversalFacts(id=reversal.id, reason=reversal.reason, reversed_on=reversal.reversed_on,
                                     transaction_id=reversal.transaction_id, recorded_at=reversal.recorded_at))


@router.post("/payments", status_code=201, response_model=PaymentRead, dependencies=[require_roles(Role.HOSPITAL)],
             summary="The hospital records a payment (回款) of an accepted invoice; partial, never above what is unpaid (SET-2)")
async def record_payment(body: PaymentCreate, session: SessionDep, principal: PrincipalDep,
                         clock: ClockDep) -> PaymentRead:
    hospital_code(principal)
    payment, unpaid = await service.record(session, body, principal=principal, today=clock.today())
    return _read(payment, unpaid)


@router.post("/payments/{payment_id}/reversal", status_code=201, response_model=PaymentReversalRead,
             dependencies=[require_roles(Role.HOSPITAL)],
             summary="The hospital reverses a payment it recorded in error, once; the invoice owes it again (SET-2)")
async def reverse_payment(payment_id: Annotated[int, Path(ge=1, le=BIGINT_MAX)], body: PaymentReversalCreate,
                          session: SessionDep, principal: PrincipalDep, clock: ClockDep) -> PaymentReversalRead:
    hospital_code(principal)
    reversal, payment, unpaid = await service.reverse(session, payment_id=payment_id, reason=body.reason,
                                                      principal=principal, today=clock.today())
    return PaymentReversalRead(id=reversal.id, payment_id=payment.id, invoice_id=payment.invoice_id,
                               amount=payment.amount_fen, reason=reversal.reason, reversed_on=reversal.reversed_on,
                               transaction_id=reversal.transaction_id, recorded_at=reversal.recorded_at,
                               invoice_unpaid=unpaid)


@router.get("/payments", response_model=PaymentPage,
            summary="The payments of an invoice you are party to, the hospital's and the fund's, with reversals")
async def list_payments(invoice_id: Annotated[int, Query(ge=1, le=BIGINT_MAX)], session: SessionDep,
                        principal: PrincipalDep) -> PaymentPage:
    return PaymentPage(items=[_read(p, reversal=r) for p, r in await service.payments_of(
        session, invoice_id=invoice_id, principal=principal)])


@router.post("/invoices/overdue-checks", response_model=OverdueCheck, dependencies=[require_roles(Role.INSURER)],
             summary="Run the SET-2 overdue check now on the service's clock (it also runs on its own schedule)")
async def run_overdue_check(session: SessionDep, clock: ClockDep) -> OverdueCheck:
    today = clock.today()
    return OverdueCheck(checked_on=today, invoices_overdue=await service.run_overdue_check(session, today=today))

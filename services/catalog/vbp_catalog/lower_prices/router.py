from fastapi import APIRouter, Request
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles
from vbpkit.runtime.service_app import ClockDep

from vbp_catalog.lower_prices import service
from vbp_catalog.lower_prices.schemas import (
    CheckRun,
    LowerPriceRecord,
    LowerPriceRecorded,
    ReductionApply,
    ReductionRead,
)

router = APIRouter(tags=["lower prices (CAT-6)"])


@router.post("/products/{product_id}/lower-prices", status_code=201, response_model=LowerPriceRecorded,
             dependencies=[require_roles(Role.EXCHANGE)],
             summary="Record a lower price of this product elsewhere; returns the deadline with its count "
                     "and the consequence (when the product is disqualified if the deadline is missed or passed)")
async def record_lower_price(product_id: int, body: LowerPriceRecord, session: SessionDep,
                             principal: PrincipalDep, clock: ClockDep, request: Request) -> dict:
    return await service.record_lower_price(
        session, product_id=product_id, request=body, by=principal.actor, today=clock.today(),
        check_every_seconds=request.app.state.runtime.settings.lower_price_check_seconds,
    )


@router.post("/products/{product_id}/price-reductions", status_code=201, response_model=ReductionRead,
             dependencies=[require_roles(Role.COMPANY, Role.EXCHANGE)],
             summary="Lower the winning price from a date (the company of the product)")
async def apply_price_reduction(product_id: int, body: ReductionApply, session: SessionDep,
                                principal: PrincipalDep, clock: ClockDep) -> dict:
    return await service.apply_reduction(session, product_id=product_id, request=body, principal=principal,
                                         today=clock.today())


@router.post("/lower-prices/checks", response_model=CheckRun, dependencies=[require_roles(Role.INSURER)],
             summary="Run the daily CAT-6 check now (it also runs on its own schedule)")
async def run_check(session: SessionDep, clock: ClockDep) -> dict:
    return await service.run_daily_check(session, today=clock.today())

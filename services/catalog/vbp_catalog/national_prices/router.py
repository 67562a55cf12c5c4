from typing import Annotated

from fastapi import APIRouter, Path, Query
from vbpkit.db.engine import SessionDep
from vbpkit.db.limits import BIGINT_MAX
from vbpkit.web.identity import PrincipalDep, Role, require_roles
from vbpkit.runtime.service_app import ClockDep

from vbp_catalog.national_prices import service
from vbp_catalog.national_prices.schemas import (
    NationalLowestPriceList,
    NationalLowestPriceRead,
    NationalLowestPriceRecord,
)

router = APIRouter(tags=["national lowest prices (CAT-7, CAT-12)"])
BatchCode = Annotated[str, Path(min_length=1, max_length=64)]


@router.post("/batches/{code}/national-lowest-prices", status_code=201, response_model=NationalLowestPriceRead,
             dependencies=[require_roles(Role.EXCHANGE)],
             summary="Record a new national lowest price for the batch's category, a group or a non-winning product: "
                     "from its day it caps listings (CAT-7) and lowers or suspends those above it (CAT-12)")
async def record_national_lowest_price(code: BatchCode, body: NationalLowestPriceRecord, session: SessionDep,
                                       principal: PrincipalDep, clock: ClockDep) -> NationalLowestPriceRead:
    return await service.record(session, batch_code=code, request=body, by=principal.actor, today=clock.today())


@router.get("/batches/{code}/national-lowest-prices", response_model=NationalLowestPriceList,
            summary="The batch's national lowest prices with what each did; product_id: those that cap one product")
async def list_national_lowest_prices(
    code: BatchCode, session: SessionDep,
    product_id: Annotated[int | None, Query(ge=1, le=BIGINT_MAX)] = None,
) -> NationalLowestPriceList:
    return await service.listing(session, batch_code=code, product_id=product_id)

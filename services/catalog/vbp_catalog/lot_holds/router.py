from typing import Annotated

from fastapi import APIRouter, Path
from vbpkit.db.engine import SessionDep
from vbpkit.db.limits import BIGINT_MAX
from vbpkit.runtime.service_app import ClockDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles

from vbp_catalog.lot_holds import service
from vbp_catalog.lot_holds.schemas import HoldIn, HoldList, HoldRead, ReleaseIn

router = APIRouter(tags=["lot holds (CAT-14)"])
Id = Annotated[int, Path(ge=1, le=BIGINT_MAX)]


@router.post("/products/{product_id}/lot-holds", status_code=201, response_model=HoldRead,
             dependencies=[require_roles(Role.INSURER, Role.ADMIN)],
             summary="Hold a lot of a product for quality: its delivery lines are not accepted, and the hospitals "
                     "that accepted it are alerted (CAT-14)")
async def hold(product_id: Id, body: HoldIn, session: SessionDep, principal: PrincipalDep,
               clock: ClockDep) -> HoldRead:
    return await service.hold(session, product_id=product_id, request=body, principal=principal, today=clock.today())


@router.get("/products/{product_id}/lot-holds", response_model=HoldList,
            summary="The lots of a product held and released (CAT-14)")
async def holds(product_id: Id, session: SessionDep) -> HoldList:
    return await service.listing(session, product_id=product_id)


@router.post("/lot-holds/{hold_id}/release", response_model=HoldRead,
             dependencies=[require_roles(Role.INSURER, Role.ADMIN)],
             summary="Release a held lot: it may be accepted again (CAT-14)")
async def release(hold_id: Id, body: ReleaseIn, session: SessionDep, principal: PrincipalDep,
                  clock: ClockDep) -> HoldRead:
    return await service.release(session, hold_id=hold_id, request=body, principal=principal,
                                 today=clock.today(), now=clock.now())

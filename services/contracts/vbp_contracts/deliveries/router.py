from fastapi import APIRouter
from vbpkit.db import SessionDep
from vbpkit.identity import PrincipalDep, Role, require_roles
from vbpkit.service_app import ClockDep

from vbp_contracts.deliveries import service
from vbp_contracts.deliveries.models import Delivery
from vbp_contracts.deliveries.schemas import (
    Acceptance,
    DeliveryCreate,
    DeliveryLineRead,
    DeliveryRead,
    ReturnCreate,
    ReturnRead,
)
from vbp_contracts.parties import company_code, hospital_code

router = APIRouter(tags=["deliveries"])


async def read(session, delivery: Delivery) -> DeliveryRead:
    return DeliveryRead(
        id=delivery.id, order_id=delivery.order_id, hospital_code=delivery.hospital_code,
        distributor_code=delivery.distributor_code, delivered_on=delivery.delivered_on,
        accepted_on=delivery.accepted_on, recorded_at=delivery.recorded_at,
        lines=[DeliveryLineRead(line_no=l.line_no, quantity=l.quantity, lot=l.lot, udi=l.udi,
                                accepted_quantity=l.accepted_quantity, returned_quantity=l.returned_quantity)
               for l in await service.lines_of(session, delivery.id)],
    )


@router.post("/deliveries", status_code=201, response_model=DeliveryRead, dependencies=[require_roles(Role.COMPANY)],
             summary="The distributor records a delivery against confirmed lines; partial is fine (CON-5)")
async def record_delivery(body: DeliveryCreate, session: SessionDep, principal: PrincipalDep,
                          clock: ClockDep) -> DeliveryRead:
    delivery = await service.record(session, body, distributor=company_code(principal),
                                    by=principal.actor, today=clock.today())
    return await read(session, delivery)


@router.get("/deliveries/{delivery_id}", response_model=DeliveryRead, summary="Read a delivery you are party to")
async def read_delivery(delivery_id: int, session: SessionDep, principal: PrincipalDep) -> DeliveryRead:
    return await read(session, await service.visible(session, delivery_id, principal))


@router.post("/deliveries/{delivery_id}/acceptance", response_model=DeliveryRead,
             dependencies=[require_roles(Role.HOSPITAL)],
             summary="The hospital accepts each delivered line, at most what was delivered (CON-5)")
async def accept_delivery(delivery_id: int, body: Acceptance, session: SessionDep, principal: PrincipalDep,
                          clock: ClockDep) -> DeliveryRead:
    hospital_code(principal)
    delivery = await service.visible(session, delivery_id, principal, for_update=True)
    await service.accept(session, delivery, body, today=clock.today())
    await session.flush()
    return await read(session, delivery)


@router.post("/returns", status_code=201, response_model=ReturnRead, dependencies=[require_roles(Role.HOSPITAL)],
             summary="Return accepted goods with a reason; counts against progress and invoices (CON-5)")
async def return_goods(body: ReturnCreate, session: SessionDep, principal: PrincipalDep,
                       clock: ClockDep) -> ReturnRead:
    hospital_code(principal)
    delivery = await service.visible(session, body.delivery_id, principal, for_update=True)
    row = await service.return_goods(session, delivery, body, by=principal.actor,
                                     today=clock.today())
    return ReturnRead(id=row.id, delivery_id=row.delivery_id, line_no=row.line_no, quantity=row.quantity,
                      reason=row.reason, returned_on=row.returned_on)

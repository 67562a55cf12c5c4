from fastapi import APIRouter
from vbpkit.db.engine import SessionDep
from vbpkit.runtime.service_app import ClockDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles
from vbpkit.web.parties import company_code, hospital_code

from vbp_contracts.deliveries import service
from vbp_contracts.deliveries.schemas import Acceptance, DeliveryCreate, DeliveryRead, ReturnCreate, ReturnRead

router = APIRouter(tags=["deliveries"])


@router.post("/deliveries", status_code=201, response_model=DeliveryRead, dependencies=[require_roles(Role.COMPANY)],
             summary="The distributor records a delivery against confirmed lines; partial is fine (CON-5)")
async def record_delivery(body: DeliveryCreate, session: SessionDep, principal: PrincipalDep,
                          clock: ClockDep) -> DeliveryRead:
    return DeliveryRead.of(await service.record_delivery(session, body, distributor=company_code(principal),
                                                         by=principal.actor, today=clock.today()))


@router.get("/deliveries/{delivery_id}", response_model=DeliveryRead, summary="Read a delivery you are party to")
async def read_delivery(delivery_id: int, session: SessionDep, principal: PrincipalDep) -> DeliveryRead:
    return DeliveryRead.of(await service.read(session, delivery_id=delivery_id, principal=principal))


@router.post("/deliveries/{delivery_id}/acceptance", response_model=DeliveryRead,
             dependencies=[require_roles(Role.HOSPITAL)],
             summary="The hospital accepts each delivered line, at most what was delivered (CON-5)")
async def accept_delivery(delivery_id: int, body: Acceptance, session: SessionDep, principal: PrincipalDep,
                          clock: ClockDep) -> DeliveryRead:
    hospital_code(principal)
    return DeliveryRead.of(await service.accept_delivery(session, delivery_id=delivery_id, request=body,
                                                         principal=principal, today=clock.today()))


@router.post("/returns", status_code=201, response_model=ReturnRead, dependencies=[require_roles(Role.HOSPITAL)],
             summary="Return accepted goods with a reason; counts against progress and invoices (CON-5)")
async def return_goods(body: ReturnCreate, session: SessionDep, principal: PrincipalDep,
                       clock: ClockDep) -> ReturnRead:
    hospital_code(principal)
    return ReturnRead.of(await service.return_accepted(session, body, principal=principal, today=clock.today()))
